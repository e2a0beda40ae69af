package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, a policy from a build: {@code cordon-runner suggest --build} runs stable {@code cargo build} under
 * Cordon, and prints the policy lines that let every failed script pass, and nothing wider; with them the
 * next build passes.
 */
class SuggestCargoTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
    }

    private CargoProject project() throws IOException {
        Files.createDirectories(dir.resolve("shared"));
        Files.writeString(dir.resolve("shared/tables.sql"), "create table t (x int);\n");
        CargoProject project = CargoProject.in(dir.resolve("ws"))
                .binaryPackage("gen", """
                        fn main() {
                            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/generated.rs");
                            std::fs::write(path, "").unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
                        }
                        """, "fn main() {}")
                .binaryPackage("reader", """
                        fn main() {
                            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/tables.sql");
                            let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
                            println!("cargo::warning={}", text.len());
                        }
                        """, "fn main() {}")
                .binaryPackage("quiet", "fn main() {}", "fn main() {}");
        return project.workspace(List.of(CargoProject.runnerLauncher().toString()), "gen", "reader", "quiet")
                .stable(CargoProject.rustcWrapper()).env("CORDON_NO_DAEMON", "1");
    }

    private RunnerCommand.Result suggest(Path ws, String... args) throws IOException, InterruptedException {
        List<String> all = new java.util.ArrayList<>(List.of("suggest"));
        all.addAll(List.of(args));
        return RunnerCommand.run(ws, java.util.Map.of("CORDON_RUNNER", CargoProject.runnerLauncher().toString()),
                all.toArray(String[]::new));
    }

    @Test
    void suggestBuild_printsWhatEveryFailedScriptNeededAndThoseLinesMakeTheBuildPass() throws Exception {
        CargoProject project = project();
        Path ws = dir.resolve("ws");
        RunnerCommand.Result run = suggest(ws, "--build");
        assertEquals(0, run.status(), run.stdout() + run.stderr());
        String toml = run.stdout();
        assertTrue(toml.contains("(the last run of each crate; 2 failed)"), toml);
        assertTrue(toml.contains("# gen v0.1.0: the build script of crate 'gen' was refused a write"), toml);
        assertTrue(toml.contains("[permissions.build.gen]\nfilesystem-access = { action = \"permit\", paths = "
                + "[\"$CARGO_MANIFEST_DIR\"] }\n"), toml);
        assertTrue(toml.contains("# reader v0.1.0: the build script of crate 'reader' could not see " + dir.resolve(
                "shared/tables.sql")), toml);
        assertTrue(toml.contains("[permissions.build.reader]\nfilesystem-access = { action = \"permit\", read = [\""
                + dir.resolve("shared/tables.sql") + "\"] }\n"), toml);
        assertFalse(toml.contains("quiet"), "a script that passed needs nothing: " + toml);
        assertFalse(toml.contains("network") || toml.contains("source = "), "nothing a denial did not show: " + toml);

        Path policy = Files.writeString(dir.resolve("cordon.toml"), toml);
        var fixed = project.env("CORDON_POLICY", policy.toString()).build(ws.resolve("target"));
        assertEquals(0, fixed.exitCode(), toml + "\n" + fixed.stderr());
        // The script's line, then the runner's: the package and the policy file, so a policy edit re-runs it.
        assertEquals("cargo::warning=24\ncargo:rerun-if-changed=" + ws.resolve("reader")
                + "\ncargo:rerun-if-changed=" + policy + "\n", fixed.outputOf("reader-"));
    }

    @Test
    void suggest_readsTheAuditLogOfABuildAndSaysWhenAFailureIsNoDenial() throws Exception {
        Path audit = dir.resolve("audit.jsonl");
        CargoProject project = project().env("CORDON_AUDIT_LOG", audit.toString());
        project.file("quiet/build.rs", "fn main() { std::process::exit(3); }\n");
        var build = project.build(dir.resolve("ws/target"), "--keep-going");
        assertNotEquals(0, build.exitCode());
        RunnerCommand.Result run = suggest(dir.resolve("ws"), "--audit-log", audit.toString());
        assertEquals(1, run.status(), "a failure no line fixes: " + run.stdout() + run.stderr());
        assertTrue(run.stdout().contains("# no line for quiet v0.1.0 failed with exit status 3, and Cordon recognised"
                + " no denial: its own output says why"), run.stdout());
        assertTrue(run.stdout().contains("[permissions.build.gen]"), run.stdout());
    }
}
