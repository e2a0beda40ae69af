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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: the policy kept in the workspace's {@code Cargo.toml} under {@code [workspace.metadata.cordon]},
 * found without {@code --policy} or {@code CORDON_POLICY}, on every launch path, by real Cargo and bwrap.
 */
class ManifestPolicyCargoTest {

    @TempDir
    static Path shared;
    @TempDir
    Path dir;
    private static LaunchPaths paths;

    @BeforeAll
    static void setUp() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        paths = LaunchPaths.in(shared.resolve("paths"));
    }

    @AfterAll
    static void tearDown() throws IOException {
        paths.close();
    }

    /** Writes into the workspace, outside OUT_DIR: refused unless the policy grants it. */
    private static final String GEN_BUILD_RS = """
            fn main() {
                let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../generated");
                let path = format!("{dir}/stamp.rs");
                std::fs::write(&path, "pub const STAMP: u32 = 7;\\n")
                    .unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
            }
            """;

    private static final String WORKSPACE_TOML = """
            [workspace]
            resolver = "2"
            members = ["gen"]
            """;

    private static final String GRANT = """

            [workspace.metadata.cordon.permissions.build.gen]
            filesystem-access = { action = "permit", paths = ["generated"] }
            """;

    /** A member whose script needs a grant, and a registry crate with a build script (libc). */
    private static CargoProject project(Path ws) {
        return CargoProject.in(ws).binaryPackage("gen", GEN_BUILD_RS, """
                include!("../../generated/stamp.rs");
                fn main() { println!("{}", STAMP); }
                """, "libc = \"0.2\"");
    }

    @TestFactory
    Stream<DynamicTest> workspaceMetadata_isEveryScriptsPolicyOnEveryLaunchPath() {
        return paths.all().stream().map(path -> DynamicTest.dynamicTest(path.name(), () -> {
            Path ws = shared.resolve("ws-" + path.name());
            CargoProject project = project(ws);
            path.wire(project, List.of(), "gen");
            project.file("Cargo.toml", WORKSPACE_TOML + GRANT);
            Path audit = shared.resolve("audit-" + path.name() + ".jsonl");
            project.env("CORDON_AUDIT_LOG", audit.toString());
            var result = path.build(project, ws.resolve("target"));
            assertEquals(0, result.exitCode(), result.stderr());
            assertEquals("pub const STAMP: u32 = 7;\n", Files.readString(ws.resolve("generated/stamp.rs")));
            List<String> records = Files.readAllLines(audit, StandardCharsets.UTF_8);
            String policy = "\"policy\":\"" + ws.resolve("Cargo.toml") + " [workspace.metadata.cordon]\"";
            for (String crate : List.of("gen", "libc")) {
                assertTrue(records.stream().anyMatch(r -> r.contains("\"crate\":\"" + crate + "\"") && r.contains(policy)
                        && r.contains("\"policySha256\":\"")), crate + " under " + policy + ":\n" + records);
            }
        }));
    }

    private CargoProject cold(Path ws, List<String> runnerArgs) {
        CargoProject project = project(ws);
        List<String> runner = new ArrayList<>(List.of(CargoProject.runnerLauncher().toString()));
        runner.addAll(runnerArgs);
        return project.workspace(runner, "gen").env("CORDON_NO_DAEMON", "1");
    }

    @Test
    void denial_suggestsTheLineForTheManifestTableAndThatLineFixesTheBuild() throws IOException {
        Path ws = dir.resolve("ws");
        CargoProject project = cold(ws, List.of());
        project.file("Cargo.toml", WORKSPACE_TOML + "\n[workspace.metadata.cordon.permissions.build]\ntimeout = \"5m\"\n");
        Files.createDirectories(ws.resolve("generated"));
        var denied = project.build(ws.resolve("target"));
        assertNotEquals(0, denied.exitCode());
        String err = denied.stderr();
        assertTrue(err.contains("[workspace.metadata.cordon.permissions.build.gen]"), err);
        assertFalse(err.contains("\n[permissions.build.gen]"), "a line for a policy file: " + err);
        String suggested = err.lines().map(l -> l.replaceFirst("^\\s*(cordon: )?", ""))
                .filter(l -> l.startsWith("filesystem-access = ")).findFirst().orElseThrow(() -> new AssertionError(err));
        project.file("Cargo.toml", WORKSPACE_TOML + "\n[workspace.metadata.cordon.permissions.build]\ntimeout = \"5m\"\n"
                + "\n[workspace.metadata.cordon.permissions.build.gen]\n" + suggested + "\n");
        var fixed = project.build(ws.resolve("target"));
        assertEquals(0, fixed.exitCode(), suggested + "\n" + fixed.stderr());
    }

    @Test
    void grantThatCouldRewriteThePolicy_isRefusedBeforeTheScriptRuns() throws IOException {
        // The attack: a script allowed to write the folder holding the policy rewrites its own permissions,
        // and every later script of the same build (and every later build) runs under them.
        Path ws = dir.resolve("ws");
        CargoProject project = cold(ws, List.of());
        String manifest = WORKSPACE_TOML + """

                [workspace.metadata.cordon.permissions.build.gen]
                filesystem-access = { action = "permit", paths = ["."] }
                """;
        project.file("Cargo.toml", manifest);
        project.file("gen/build.rs", """
                use std::io::Write;
                fn main() {
                    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
                    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
                    writeln!(f, "\\n[workspace.metadata.cordon.permissions.build]\\nnetwork-access = {{ action = \\"permit\\" }}").unwrap();
                    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../generated");
                    std::fs::create_dir_all(dir).unwrap();
                    std::fs::write(format!("{dir}/stamp.rs"), "pub const STAMP: u32 = 7;\n").unwrap();
                }
                """);
        var result = project.build(ws.resolve("target"));
        assertNotEquals(0, result.exitCode(), "the grant could rewrite the policy");
        assertEquals(manifest, Files.readString(ws.resolve("Cargo.toml")), "the policy is untouched");
        String err = result.stderr();
        assertTrue(err.contains(ws.resolve("Cargo.toml") + ":6:1: workspace.metadata.cordon.permissions.build.gen"
                + ".filesystem-access: crate 'gen' may write " + ws + ", which holds this policy"), err);
    }

    @Test
    void invalidMetadata_failsTheBuildAtTheManifestsLineAndKey() {
        Path ws = dir.resolve("ws");
        CargoProject project = cold(ws, List.of());
        project.file("Cargo.toml", WORKSPACE_TOML + """

                [workspace.metadata.cordon.permissions.build.gen]
                network-access = { action = "permit", routes = ["localhost"] }
                """);
        var result = project.build(ws.resolve("target"));
        assertNotEquals(0, result.exitCode());
        assertTrue(result.stderr().contains(ws.resolve("Cargo.toml") + ":6:"), result.stderr());
        assertTrue(result.stderr().contains("workspace.metadata.cordon.permissions.build.gen.network-access.routes[0]"),
                result.stderr());
    }

    @Test
    void namedPolicy_winsOverTheManifestAndCheckSaysSo() throws IOException, InterruptedException {
        Path ws = dir.resolve("ws");
        Path policy = Files.writeString(dir.resolve("cordon.toml"), "# the defaults: gen may not write generated/\n");
        CargoProject project = cold(ws, List.of()).env("CORDON_POLICY", policy.toString());
        project.file("Cargo.toml", WORKSPACE_TOML + GRANT);
        Files.createDirectories(ws.resolve("generated"));
        var result = project.build(ws.resolve("target"));
        assertNotEquals(0, result.exitCode(), "CORDON_POLICY comes first; the manifest's grant is not used");
        assertTrue(result.stderr().contains("policy '" + policy + "'"), result.stderr());

        RunnerCommand.Result check = RunnerCommand.run(ws.resolve("gen"), java.util.Map.of(), "check", "--syntax-only");
        assertEquals(0, check.status(), check.all());
        assertTrue(check.stdout().contains("policy OK (syntax only, not checked against this machine): "
                + ws.resolve("Cargo.toml") + " [workspace.metadata.cordon]"), check.all());

        RunnerCommand.Result both = RunnerCommand.run(ws.resolve("gen"), java.util.Map.of(), "check", "--syntax-only",
                "--policy", policy.toString());
        assertEquals(0, both.status(), both.all());
        String shadowed = both.stdout();
        assertTrue(shadowed.contains("note: " + ws.resolve("Cargo.toml") + " also holds a policy"), shadowed);
        assertTrue(shadowed.contains("--policy names " + policy + ", which comes first"), shadowed);
    }

    @Test
    void targetDirOutsideTheWorkspace_findsNoManifestAndCordonPolicyNamesIt() throws IOException {
        Path ws = dir.resolve("ws");
        CargoProject project = cold(ws, List.of());
        project.file("Cargo.toml", WORKSPACE_TOML + GRANT);
        Files.createDirectories(ws.resolve("generated"));
        var elsewhere = project.build(dir.resolve("elsewhere/target"));
        assertNotEquals(0, elsewhere.exitCode(), "no workspace next to the target dir: the defaults apply");
        var named = project.env("CORDON_POLICY", ws.resolve("Cargo.toml").toString()).build(dir.resolve("elsewhere/target"));
        assertEquals(0, named.exitCode(), named.stderr());
    }
}
