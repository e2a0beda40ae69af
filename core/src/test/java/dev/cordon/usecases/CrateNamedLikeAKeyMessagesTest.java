package dev.cordon.usecases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Policies;
import dev.cordon.NetworkAccess;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.directives.DirectiveFirewall;
import dev.cordon.internal.directives.SearchRoots;
import dev.cordon.internal.limits.LimitMessages;
import dev.cordon.internal.policy.PolicyAdditions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: a crate named like a policy key ({@code env}, {@code timeout}...) is told the table it can have,
 * {@code [permissions.build.crates.env]}, by every message that suggests policy lines; {@code [permissions.build.env]}
 * would be the {@code env} key of every crate's defaults. And {@code suggest} carries that table over.
 */
class CrateNamedLikeAKeyMessagesTest {
    private static final Path WS = Path.of("/ws");

    private static RunnerInvocation invocation(String crate) {
        Path dir = WS.resolve(crate);
        return RunnerInvocation.of(WS.resolve("target/debug/build/" + crate + "-1/build-script-build"), dir,
                Map.of("CARGO_PKG_NAME", crate, "CARGO_MANIFEST_DIR", dir.toString(), "OUT_DIR",
                        WS.resolve("target/debug/build/" + crate + "-2/out").toString()));
    }

    /** The text after "header\n" up to the end of the message, as a policy, decided for the crate. */
    private static Policy pastedAfter(String message, String header) {
        int at = message.indexOf(header + "\n");
        assertTrue(at >= 0, message);
        return Policies.parse(message.substring(at), WS.resolve("cordon.toml"));
    }

    @Test
    void tableHeader_isTheLongFormOnlyForACrateNamedLikeAKeyOfItsSection() {
        assertEquals("[permissions.build.crates.env]", Policies.tableHeader(RunnerInvocation.Kind.BUILD_SCRIPT, "env"));
        assertEquals("[permissions.build.sqlx]", Policies.tableHeader(RunnerInvocation.Kind.BUILD_SCRIPT, "sqlx"));
        assertEquals("[permissions.run.crates.timeout]", Policies.tableHeader(RunnerInvocation.Kind.RUN, "timeout"));
        assertEquals("[permissions.macro.crates.crates]", Policies.tableHeader(RunnerInvocation.Kind.MACRO, "crates"));
        assertEquals("[permissions.build.serde]", Policies.tableHeader(RunnerInvocation.Kind.OTHER, "serde"));
    }

    @Test
    void directiveRefusal_namesTheCratesTableAndItsLineAllowsTheDirective() {
        DirectiveFirewall firewall = DirectiveFirewall.of("env", SearchRoots.of(Optional.empty(), Optional.empty(),
                WS.resolve("env")), List.of());
        String message = firewall.check("cargo::rustc-env=LD_PRELOAD=/opt/evil.so").refusal().orElseThrow();
        assertTrue(message.contains("[permissions.build.crates.env]\ndirectives = { allow = ["), message);
        assertFalse(message.contains("[permissions.build.env]"), message);
        Policy pasted = pastedAfter(message, "[permissions.build.crates.env]");
        assertEquals(List.of("rustc-env=LD_PRELOAD=/opt/evil.so"),
                pasted.decide(invocation("env")).allowedDirectives());
        assertEquals(List.of(), pasted.decide(invocation("other")).allowedDirectives());
    }

    @Test
    void limitMessage_namesTheCratesTableAndItsLineRaisesTheLimit() {
        String message = LimitMessages.memoryExceeded("timeout", 64L << 20);
        assertTrue(message.contains("[permissions.build.crates.timeout]\nlimits = { memory = "), message);
        Policy pasted = pastedAfter(message, "[permissions.build.crates.timeout]");
        assertEquals(128L << 20, pasted.decide(invocation("timeout")).limits().memoryBytes().orElseThrow());
    }

    @Test
    void suggest_keepsTheCratesTableOfADenialAndTheAdditionsGrantIt() {
        String denial = """
                cordon: the build script of crate 'env' tried to use the network, which policy 'x' denies. To allow \
                only the servers it needs, add to the policy:
                [permissions.build.crates.env]
                network-access = { action = "permit" }""";
        String record = "{\"crate\":\"env\",\"version\":\"0.1.0\",\"exitCode\":101,\"denial\":\""
                + denial.replace("\"", "\\\"").replace("\n", "\\n") + "\"}";
        PolicyAdditions additions = PolicyAdditions.fromAuditLog(List.of(record));
        assertEquals(List.of(), additions.unsolved());
        String toml = additions.toml();
        assertTrue(toml.contains("[permissions.build.crates.env]\nnetwork-access = { action = \"permit\" }\n"), toml);
        Policy policy = Policies.parse(toml, WS.resolve("cordon.toml"));
        assertEquals(NetworkAccess.all(), policy.decide(invocation("env")).network());
        assertEquals(NetworkAccess.none(), policy.decide(invocation("other")).network());
    }
}
