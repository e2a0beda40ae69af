package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, declared needs, under real Cargo and bwrap: a dependency says in its own Cargo.toml what its
 * build script needs; Cordon grants none of it, and the failure, the audit record and {@code explain} show the
 * declaration next to the grant, with the line that would grant it.
 */
class DeclaredNeedsCargoTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
    }

    /** A path dependency outside the workspace whose script writes into its own source folder. */
    private CargoProject project() {
        CargoProject project = CargoProject.in(dir);
        project.file("dep/Cargo.toml", """
                [package]
                name = "needy"
                version = "0.1.0"
                edition = "2021"
                build = "build.rs"

                [package.metadata.cordon.permissions.build]
                filesystem-access = { action = "permit", paths = ["$CARGO_MANIFEST_DIR/generated"] }
                network-access = { action = "permit", routes = ["127.0.0.1:5432"] }
                """);
        project.file("dep/build.rs", """
                fn main() {
                    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/generated/x.rs");
                    std::fs::write(path, "").unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
                }
                """);
        project.file("dep/src/lib.rs", "");
        project.file("dep/generated/.keep", "");
        return CargoProject.in(dir.resolve("ws")).binaryPackage("app", "fn main() {}", "fn main() {}", "needy = { path = \"../../dep\" }")
                .workspace(List.of(CargoProject.runnerLauncher().toString()), "app").env("CORDON_NO_DAEMON", "1");
    }

    @Test
    void dependencyDeclaration_isNotGrantedAndTheFailureAndAuditShowIt() throws IOException {
        Path audit = dir.resolve("audit.jsonl");
        CargoProject project = project().env("CORDON_AUDIT_LOG", audit.toString());
        var result = project.build(dir.resolve("ws/target"));
        assertNotEquals(0, result.exitCode(), "the declaration granted nothing");
        assertFalse(Files.exists(dir.resolve("dep/generated/x.rs")));
        String err = result.stderr();
        assertTrue(err.contains("needy declares filesystem access write $CARGO_MANIFEST_DIR/generated; your policy"
                + " grants none of it; to allow it:"), err);
        assertTrue(err.contains("needy declares network 127.0.0.1:5432; your policy grants none; to allow it:"), err);
        assertTrue(err.contains("never granted by Cordon"), err);
        String record = Files.readAllLines(audit, StandardCharsets.UTF_8).stream()
                .filter(r -> r.contains("\"crate\":\"needy\"")).findFirst().orElseThrow();
        assertTrue(record.contains("\"declaredNeeds\":\"network-access = { action = \\\"permit\\\", routes = "
                + "[\\\"127.0.0.1:5432\\\"] }\\nfilesystem-access"), record);
        assertTrue(record.contains("needy declares network 127.0.0.1:5432"), record);

        // The user decides: the suggested write line, granted in the workspace's Cargo.toml, fixes the build.
        project.file("Cargo.toml", "[workspace]\nresolver = \"2\"\nmembers = [\"app\"]\n\n"
                + "[workspace.metadata.cordon.permissions.build.needy]\n"
                + "filesystem-access = { action = \"permit\", paths = [\"$CARGO_MANIFEST_DIR/generated\"] }\n");
        var fixed = project.build(dir.resolve("ws/target"));
        assertEquals(0, fixed.exitCode(), fixed.stderr());
    }

    @Test
    void explain_showsTheDeclarationNextToTheGrant() throws IOException, InterruptedException {
        project();
        String out = RunnerCommand.run(dir.resolve("ws"), java.util.Map.of(), "explain", "--crate", "needy").all();
        assertTrue(out.contains("== declared by the package in " + dir.resolve("dep/Cargo.toml")
                + " (never granted by Cordon)"), out);
        assertTrue(out.contains("needy declares network 127.0.0.1:5432; your policy grants none; to allow it:\n"
                + "[permissions.build.needy]\nnetwork-access = { action = \"permit\", routes = [\"127.0.0.1:5432\"] }"),
                out);
    }
}
