package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExitCodes;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.internal.policy.reading.PolicyCompiler;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.PolicyPrinter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Issue 16: a policy kept in a Cargo manifest binds exactly as the same policy in its own file. */
class ManifestPolicyProperties {
    private static final Path MANIFEST = Fixtures.POLICY.resolveSibling("Cargo.toml");

    @Provide
    Arbitrary<String> tables() {
        return Arbitraries.of("workspace.metadata.cordon", "package.metadata.cordon");
    }

    /** The policy text moved under a manifest table: every header gets the table's name in front. */
    private static String inManifest(String policy, String table) {
        String head = table.startsWith("workspace") ? "[workspace]\nmembers = [\"app\"]\n\n"
                : "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n";
        return head + policy.replaceAll("(?m)^\\[", "[" + table + ".");
    }

    @Property(tries = 300)
    void manifest_everyValidPolicyBindsToTheSameModelUnderItsTable(@ForAll("models") PolicyModel model,
            @ForAll("tables") String table) {
        String text = inManifest(PolicyPrinter.print(model), table);
        PolicyCompiler.ManifestPolicy found = PolicyCompiler.compileManifest(text.getBytes(StandardCharsets.UTF_8),
                MANIFEST).orElseThrow();
        assertEquals(table, found.table());
        assertEquals(model, found.model(), text);
    }

    @Provide
    Arbitrary<PolicyModel> models() {
        return PolicyArbitraries.models();
    }

    @Provide
    Arbitrary<String> invalidValues() {
        return Arbitraries.of("routes = [\"127.0.0.1\"]", "timeout = \"-5s\"", "source = \"raed-only\"",
                "netwrok-access = { action = \"deny\" }", "paths = [\"$OTU_DIR/x\"]", "timeout = true",
                "limits = { memory = \"lots\" }", "env = { drop = [\"CARGO_PKG_NAME\"] }");
    }

    @Property(tries = 200)
    void manifest_everyInvalidValueIsRejectedAtItsManifestLineUnderTheTablesKeyPath(
            @ForAll("models") PolicyModel model, @ForAll("tables") String table, @ForAll("invalidValues") String bad) {
        String key = bad.startsWith("routes") ? "network-access = { action = \"permit\", " + bad + " }"
                : bad.startsWith("paths") ? "filesystem-access = { action = \"permit\", " + bad + " }" : bad;
        String policy = PolicyPrinter.print(model) + "\n[permissions.build.zz-broken]\n" + key + "\n";
        String text = inManifest(policy, table);
        try {
            PolicyCompiler.compileManifest(text.getBytes(StandardCharsets.UTF_8), MANIFEST);
            throw new AssertionError("accepted:\n" + text);
        } catch (PolicyException e) {
            assertEquals(ExitCodes.INVALID_POLICY, e.exitCode());
            int brokenLine = text.split("\n", -1).length - 1;
            for (PolicyViolation v : e.violations()) {
                assertEquals(MANIFEST, v.file().orElseThrow());
                assertTrue(v.keyPath().startsWith(table + ".permissions.build.zz-broken"), v.describe());
                assertEquals(brokenLine, v.line(), v.describe() + "\n" + text);
                assertTrue(v.column() > 0, v.describe());
                assertFalse(v.fix().isBlank(), v.describe());
            }
        }
    }
}
