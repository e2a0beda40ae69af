package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.internal.policy.PolicyAdditions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 16: the policy lines a build's denials asked for, and nothing wider. */
class PolicyAdditionsTest {

    private static String record(String crate, int exitCode, String denial) {
        String d = denial == null ? "null" : "\"" + denial.replace("\\", "\\\\").replace("\"", "\\\"")
                .replace("\n", "\\n") + "\"";
        return "{\"time\":\"2026-11-29T18:00:00Z\",\"crate\":\"" + crate + "\",\"version\":\"0.1.0\",\"policy\":\"x\","
                + "\"exitCode\":" + exitCode + ",\"denial\":" + d + "}";
    }

    private static final String WRITE = """
            cordon: the build script of crate 'gen' was refused a write under policy 'defaults':
              /ws/gen/out.rs: the package directory /ws/gen is read-only in the sandbox
            A build script should write only to OUT_DIR. To allow it anyway, add to the policy:
            [permissions.build.gen]
            filesystem-access = { action = "permit", paths = ["$CARGO_MANIFEST_DIR"] }
            or let the script write a private copy of its package (the original stays untouched):
            [permissions.build.gen]
            source = "copy\"""";

    @Test
    void suggest_takesTheFirstWayOutWithItsReasonAndNotTheAlternative() {
        PolicyAdditions additions = PolicyAdditions.fromAuditLog(List.of(record("gen", 101, WRITE)));
        String toml = additions.toml();
        assertEquals("""
                # gen v0.1.0: the build script of crate 'gen' was refused a write under policy 'defaults':
                #   /ws/gen/out.rs: the package directory /ws/gen is read-only in the sandbox
                #   A build script should write only to OUT_DIR. To allow it anyway, add to the policy:
                [permissions.build.gen]
                filesystem-access = { action = "permit", paths = ["$CARGO_MANIFEST_DIR"] }
                """, toml);
        Policies.parse(toml, Path.of("/ws/cordon.toml")); // valid policy text
        assertEquals(List.of(), additions.unsolved());
    }

    @Test
    void suggest_mergesDenialsOfOneCrateIntoOneTableWithTheUnionOfWhatTheyNamed() {
        String read = """
                cordon: the build script of crate 'gen' could not see /opt/sdk: it exists on this machine, but ... To let it read them, add to the policy:
                [permissions.build.gen]
                filesystem-access = { action = "permit", read = ["/opt/sdk"] }
                crate 'gen' tried to connect to 127.0.0.1:5432 (tcp, refused with EACCES); to allow it, in [permissions.build.gen]: network-access = { action = "permit", routes = ["127.0.0.1:5432"] }""";
        PolicyAdditions additions = PolicyAdditions.fromAuditLog(List.of(record("gen", 101, WRITE + "\n" + read)));
        String toml = additions.toml();
        assertTrue(toml.contains("""
                [permissions.build.gen]
                filesystem-access = { action = "permit", paths = ["$CARGO_MANIFEST_DIR"], read = ["/opt/sdk"] }
                network-access = { action = "permit", routes = ["127.0.0.1:5432"] }
                """), toml);
        Policies.parse(toml, Path.of("/ws/cordon.toml"));
    }

    @Test
    void suggest_neverTakesPlaceholdersGuessesOrAPackagesOwnDeclaration() {
        String network = """
                cordon: the build script of crate 'net' tried to use the network, which policy 'x' denies. Prefer vendoring; add to the policy:
                [permissions.build.net]
                network-access = { action = "permit", routes = ["HOST:PORT"] }
                or, for the whole network: network-access = { action = "permit" }
                cordon: net declares network 127.0.0.1:5432; your policy grants none; to allow it:
                [permissions.build.net]
                network-access = { action = "permit", routes = ["127.0.0.1:5432"] }""";
        String guess = """
                cordon: the build script of crate 'sib' failed with 'not found' (ENOENT). These are not visible to it: ../a, ../b. If it reads one of them, add to the policy:
                [permissions.build.sib]
                filesystem-access = { action = "permit", read = ["$WORKSPACE_ROOT/a", "$WORKSPACE_ROOT/b"] }""";
        PolicyAdditions additions = PolicyAdditions.fromAuditLog(List.of(record("net", 101, network),
                record("sib", 101, guess), record("plain", 1, null)));
        assertTrue(additions.isEmpty(), additions.toml());
        assertEquals(3, additions.unsolved().size(), additions.unsolved().toString());
        assertTrue(additions.unsolved().get(2).contains("plain v0.1.0 failed with exit status 1, and Cordon recognised"
                + " no denial"), additions.unsolved().toString());
    }

    @Test
    void suggest_countsOnlyTheLastRunOfEachCrate() {
        PolicyAdditions fixed = PolicyAdditions.fromAuditLog(List.of(record("gen", 101, WRITE), "not json",
                record("gen", 0, null)));
        assertTrue(fixed.isEmpty());
        assertEquals(0, fixed.failedRuns());
        PolicyAdditions broken = PolicyAdditions.fromAuditLog(List.of(record("gen", 0, null), record("gen", 101, WRITE)));
        assertFalse(broken.isEmpty());
    }

    @Test
    void suggest_keepsTheManifestTableOfAPolicyInCargoToml() {
        String denial = WRITE.replace("[permissions.build.gen]", "[workspace.metadata.cordon.permissions.build.gen]");
        String toml = PolicyAdditions.fromAuditLog(List.of(record("gen", 101, denial))).toml();
        assertTrue(toml.contains("[workspace.metadata.cordon.permissions.build.gen]\nfilesystem-access"), toml);
    }
}
