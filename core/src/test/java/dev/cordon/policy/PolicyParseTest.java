package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.Route;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PolicyParseTest {

    @Test
    void parse_seedExampleAsWritten() {
        Policy policy = Policies.parse(Fixtures.resource("seed.toml"), Fixtures.POLICY);
        Grant grant = policy.decide(Fixtures.invocation("rust_version"));
        assertEquals(Policies.defaults().decide(Fixtures.invocation("rust_version")).toBuilder()
                .policyName(Fixtures.POLICY.toString()).build(), grant);
        // [permissions.run] is enforced through Cargo's [target] runner; only the macro tables are not.
        assertEquals(1, policy.notices().size(), policy.notices().toString());
        assertTrue(policy.notices().get(0).contains("[permissions.macro]"));
    }

    @Test
    void parse_designExampleAsWritten() {
        Policy policy = Policies.parse(Fixtures.resource("design.toml"), Fixtures.POLICY);
        Grant sqlx = policy.decide(Fixtures.invocation("sqlx"));
        assertEquals(NetworkAccess.routes(List.of(new Route("127.0.0.1", 5432))), sqlx.network());
        assertTrue(sqlx.writable().contains(Path.of("/work/project/mydb.sqlite")), sqlx.writable().toString());
        assertEquals(NetworkAccess.none(), policy.decide(Fixtures.invocation("serde")).network());
        assertEquals(Fixtures.POLICY.toString(), sqlx.policyName());
    }

    @Test
    void parse_brokenPolicyReportsEveryProblemWithPlaceKeyAndFix() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> Policies.parse(Fixtures.resource("broken.toml"), Fixtures.POLICY));
        assertEquals(ExitCodes.INVALID_POLICY, e.exitCode());
        String all = e.violations().stream().map(PolicyViolation::describe).collect(Collectors.joining("\n"));
        System.out.println(all);
        for (PolicyViolation v : e.violations()) {
            assertTrue(v.line() > 0 && v.column() > 0, "no place: " + v.describe());
            assertEquals(Fixtures.POLICY, v.file().orElseThrow());
        }
        expect(e, "sandbox.backend", 2, "\"Bubble Wrap\" is not a backend id");
        expect(e, "sandbox.layers[0]", 3, "did you mean \"seccomp\"?");
        expect(e, "permissions.build.netwrok-access", 6, "did you mean 'network-access'?");
        expect(e, "permissions.build.timeout", 7, "\"-5s\" must be positive");
        expect(e, "permissions.build.idle-timeout", 8, "the boolean true");
        expect(e, "permissions.build.source", 9, "did you mean \"read-only\"?");
        expect(e, "permissions.build.sqlx.backend", 12, "[sandbox]");
        expect(e, "permissions.build.sqlx.network-access.routes[0]", 13, "has no port");
        expect(e, "permissions.build.sqlx.network-access.routes[1]", 13, "70000");
        expect(e, "permissions.build.sqlx.filesystem-access.paths[0]", 14, "climbs above");
        expect(e, "permissions.build.sqlx.filesystem-access.paths[1]", 14, "did you mean $OUT_DIR?");
        expect(e, "permissions.build.sqlx.filesystem-access.paths[2]", 14, "write \"/opt/sdk\"");
        expect(e, "permissions.build.sqlx.filesystem-access.paths[3]", 14, "climbs above $HOME");
        expect(e, "permissions.build.sqlx.env.pass[1]", 15, "\"bad-name\"");
        expect(e, "permissions.build.sqlx.env.drop[0]", 15, "cannot be dropped");
        expect(e, "permissions.build.sqlx.env.set.SOURCE_DATE_EPOCH", 15, "\"0\"");
        expect(e, "permissions.build.sqlx.syscalls.profile", 16, "\"Default\"");
        expect(e, "permissions.build.sqlx.syscalls.deny[1]", 16, "\"Bad!\"");
        assertEquals(18, e.violations().size(), all);
    }

    @Test
    void parse_columnsPointAtTheBadElement() {
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.parse("""
                [permissions.build.sqlx]
                network-access = { action = "permit", routes = ["127.0.0.1:5432", "127.0.0.1"] }
                """, Fixtures.POLICY));
        PolicyViolation v = e.violations().getFirst();
        assertEquals("permissions.build.sqlx.network-access.routes[1]", v.keyPath());
        assertEquals(2, v.line());
        assertEquals(67, v.column());
    }

    @Test
    void parse_syntaxErrorHasLineAndColumn() {
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.parse("""
                [permissions.build]
                timeout = "10m
                """, Fixtures.POLICY));
        PolicyViolation v = e.violations().getFirst();
        assertEquals(2, v.line(), v.describe());
        assertTrue(v.column() > 0, v.describe());
        assertTrue(v.message().startsWith("malformed TOML"), v.describe());
    }

    @Test
    void parse_missingActionIsNamed() {
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.parse("""
                [permissions.build]
                network-access = { routes = ["127.0.0.1:5432"] }
                """, Fixtures.POLICY));
        PolicyViolation v = e.violations().getFirst();
        assertEquals("permissions.build.network-access.action", v.keyPath());
        assertTrue(v.message().contains("missing"), v.describe());
        assertEquals(2, v.line());
    }

    @Test
    void parse_clashingCrateNamesAreAnError() {
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.parse("""
                [permissions.build.foo-bar]
                [permissions.build.foo_bar]
                """, Fixtures.POLICY));
        assertTrue(e.violations().getFirst().message().contains("same crate"), e.getMessage());
    }

    @Test
    void parse_nestedCrateTableIsAnError() {
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.parse("""
                [permissions.build.sqlx.tokio]
                timeout = "1m"
                """, Fixtures.POLICY));
        assertEquals("permissions.build.sqlx.tokio", e.violations().getFirst().keyPath());
        assertEquals(1, e.violations().getFirst().line());
    }

    @Test
    void parse_wrongTypesQuoteTheValue() {
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.parse("""
                sandbox = 5
                [permissions.build]
                network-access = "deny"
                filesystem-access = { action = "permit", paths = "x" }
                """, Fixtures.POLICY));
        String all = e.getMessage();
        assertTrue(all.contains("sandbox: must be a table, not the integer 5"), all);
        assertTrue(all.contains("network-access: must be a table, not the string \"deny\""), all);
        assertTrue(all.contains("put it in brackets: [\"x\"]"), all);
    }

    @Test
    void load_missingFileIsPolicyNotFound() {
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.load(Path.of("/nonexistent/cordon.toml")));
        assertEquals(ExitCodes.POLICY_NOT_FOUND, e.exitCode());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void parse_durationsAndIntegers() {
        Policy policy = Policies.parse("""
                [permissions.build]
                timeout = 90
                idle-timeout = "500ms"
                [permissions.build.slow]
                timeout = "1h"
                """, Fixtures.POLICY);
        Grant serde = policy.decide(Fixtures.invocation("serde"));
        assertEquals(java.time.Duration.ofSeconds(90), serde.timeout().orElseThrow());
        assertEquals(java.time.Duration.ofMillis(500), serde.idleTimeout().orElseThrow());
        assertEquals(java.time.Duration.ofHours(1), policy.decide(Fixtures.invocation("slow")).timeout().orElseThrow());
    }

    @Test
    void parse_liveLogIsPerCrateAndValidated() {
        Policy policy = Policies.parse("""
                [permissions.build.ring]
                live-log = "cordon/ring.log"
                """, Fixtures.POLICY);
        assertEquals(java.util.Optional.of(dev.cordon.LiveLogSink.file(java.nio.file.Path.of("cordon/ring.log"))),
                policy.decide(Fixtures.invocation("ring")).liveLog());
        assertEquals(java.util.Optional.empty(), policy.decide(Fixtures.invocation("serde")).liveLog());
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.parse("""
                [permissions.build]
                live-log = ""
                """, Fixtures.POLICY));
        expect(e, "permissions.build.live-log", 2, "is not a live-log sink");
        PolicyException typed = assertThrows(PolicyException.class, () -> Policies.parse("""
                [permissions.build]
                live-log = true
                """, Fixtures.POLICY));
        assertEquals(ExitCodes.INVALID_POLICY, typed.exitCode());
    }

    private static void expect(PolicyException e, String keyPath, int line, String fragment) {
        PolicyViolation v = e.violations().stream().filter(x -> x.keyPath().equals(keyPath)).findFirst()
                .orElseThrow(() -> new AssertionError("no violation at " + keyPath + " in\n" + e.getMessage()));
        assertEquals(line, v.line(), v.describe());
        assertTrue(v.describe().contains(fragment), "'" + fragment + "' not in: " + v.describe());
        assertTrue(!v.fix().isEmpty(), "no fix: " + v.describe());
    }
}
