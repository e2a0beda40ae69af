package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.NetworkAccess;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.internal.policy.model.PolicyPrinter;
import dev.cordon.internal.policy.evaluation.TomlPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Issue 16: a crate whose name equals a key (env, source, timeout...) has a table under [permissions.build.crates]. */
class CrateNamedLikeAKeyTest {

    @Test
    void cratesTable_givesACrateNamedLikeAKeyItsOwnTable() {
        Policy policy = Policies.parse("""
                [permissions.build]
                env = { pass = ["CC"] }

                [permissions.build.crates.env]
                network-access = { action = "permit" }

                [permissions.build.crates.timeout]
                timeout = "9m"

                [permissions.build.crates.crates]
                source = "copy"
                """, Fixtures.POLICY);
        assertEquals(NetworkAccess.all(), policy.decide(Fixtures.invocation("env")).network());
        assertEquals(NetworkAccess.none(), policy.decide(Fixtures.invocation("other")).network());
        assertEquals(Duration.ofMinutes(9), policy.decide(Fixtures.invocation("timeout")).timeout().orElseThrow());
        assertEquals(dev.cordon.SourceMode.COPY, policy.decide(Fixtures.invocation("crates")).source());
    }

    @Test
    void shortAndLongForm_ofOneCrateAreTheSameCrate() {
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.parse("""
                [permissions.build.foo-bar]
                timeout = "1m"

                [permissions.build.crates.foo_bar]
                timeout = "2m"
                """, Fixtures.POLICY));
        PolicyViolation v = e.violations().getFirst();
        assertEquals("permissions.build.crates.foo_bar", v.keyPath());
        assertEquals(4, v.line(), v.describe());
        assertTrue(v.message().contains("names the same crate as 'foo-bar'"), v.describe());
    }

    @Test
    void aPermissionKeyInsideCrates_isAnErrorThatSaysWhatCratesHolds() {
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.parse("""
                [permissions.build.crates]
                network-access = { action = "permit" }
                """, Fixtures.POLICY));
        PolicyViolation v = e.violations().getFirst();
        assertEquals("permissions.build.crates.network-access", v.keyPath());
        assertEquals(2, v.line(), v.describe());
        assertTrue(v.fix().contains("[permissions.build.crates.crates]"), v.describe());
    }

    @Test
    void printer_writesTheLongFormForSuchCratesAndTheTextRoundTrips() {
        TomlPolicy policy = (TomlPolicy) Policies.parse("""
                [permissions.build.crates.source]
                timeout = "3m"

                [permissions.build.serde]
                timeout = "4m"
                """, Fixtures.POLICY);
        String printed = PolicyPrinter.print(policy.model());
        assertTrue(printed.contains("[permissions.build.crates.source]\ntimeout = \"3m\""), printed);
        assertTrue(printed.contains("[permissions.build.serde]\n"), printed);
        assertEquals(policy.model(), ((TomlPolicy) Policies.parse(printed, Fixtures.POLICY)).model());
    }
}
