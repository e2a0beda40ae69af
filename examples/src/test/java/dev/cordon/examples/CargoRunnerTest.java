package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExitCodes;
import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reference runner (bin/cordon-runner) under real Cargo, with the default backend of this machine. */
class CargoRunnerTest extends BuildScriptContract {

    @BeforeAll
    static void tools() {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
    }

    @Override
    protected CargoProject probe(String buildRs, String... runnerArgs) {
        return project(buildRs, "fn main() {}", runnerArgs);
    }

    private CargoProject project(String buildRs, String mainRs, String... runnerArgs) {
        List<String> runner = new java.util.ArrayList<>(List.of(CargoProject.runnerLauncher().toString()));
        runner.addAll(List.of(runnerArgs));
        return wire(CargoProject.in(dir.resolve("ws")).binaryPackage("probe", buildRs, mainRs).workspace(runner, "probe"));
    }

    /**
     * The launch path this suite runs through: the {@code [host] runner} here, the stable rustc wrapper in
     * {@link StableCargoTest}.
     *
     * @param project a workspace wired to the runner
     * @return the project to build
     */
    protected CargoProject wire(CargoProject project) {
        return project;
    }

    @Test
    void build_directivesReachCargo() {
        var result = project("""
                fn main() {
                    println!("cargo::rerun-if-changed=build.rs");
                    println!("cargo::rustc-check-cfg=cfg(from_build_script)");
                    println!("cargo::rustc-cfg=from_build_script");
                    println!("cargo::rustc-env=PROBE_VALUE=42");
                }
                """, """
                #[cfg(not(from_build_script))]
                compile_error!("the build script's cfg did not reach rustc");
                fn main() { println!("{}", env!("PROBE_VALUE")); }
                """).build(dir.resolve("target"));
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("""
                cargo::rerun-if-changed=build.rs
                cargo::rustc-check-cfg=cfg(from_build_script)
                cargo::rustc-cfg=from_build_script
                cargo::rustc-env=PROBE_VALUE=42
                """, result.outputOf("probe-"));
    }

    @Test
    void build_secretsAndRustcBootstrapDoNotReachTheBuildScript() {
        var result = project("""
                fn main() {
                    for key in ["RUSTC_BOOTSTRAP", "MY_API_TOKEN", "AWS_SECRET_ACCESS_KEY", "SSH_AUTH_SOCK"] {
                        let seen = std::env::var(key).is_ok();
                        println!("cargo::warning={key}={}", if seen { "visible" } else { "absent" });
                    }
                    println!("cargo::warning=PATH={}", if std::env::var("PATH").is_ok() { "visible" } else { "absent" });
                }
                """, "fn main() {}").env("MY_API_TOKEN", "t0ken").env("AWS_SECRET_ACCESS_KEY", "k3y")
                .env("SSH_AUTH_SOCK", "/tmp/agent.sock").build(dir.resolve("target"));
        assertEquals(0, result.exitCode(), result.stderr());
        String out = result.outputOf("probe-");
        for (String key : List.of("RUSTC_BOOTSTRAP", "MY_API_TOKEN", "AWS_SECRET_ACCESS_KEY", "SSH_AUTH_SOCK")) {
            assertTrue(out.contains(key + "=absent"), out);
        }
        assertTrue(out.contains("PATH=visible"), out);
    }

    @Test
    void build_invalidPolicyStopsTheBuildBeforeTheScriptRuns() throws Exception {
        Path policy = dir.resolve("bad.toml");
        java.nio.file.Files.writeString(policy, "[permissions.build]\nnetwrok-access = { action = \"deny\" }\n");
        var result = project("""
                fn main() { println!("cargo::warning=the build script ran"); }
                """, "fn main() {}", "--policy", policy.toString()).build(dir.resolve("target"));
        assertNotEquals(0, result.exitCode());
        assertTrue(result.stderr().contains("exit status: " + ExitCodes.INVALID_POLICY), result.stderr());
        assertTrue(result.stderr().contains("network-access"), result.stderr());
        assertTrue(!result.stderr().contains("the build script ran"), result.stderr());
    }

    @Test
    void build_liveLogFromThePolicyCopiesThatCratesOutputAsItArrives() throws Exception {
        Path policy = dir.resolve("cordon.toml");
        java.nio.file.Files.writeString(policy, "[permissions.build.probe]\nlive-log = \"cordon/live.log\"\n");
        var result = project("""
                fn main() {
                    println!("cargo::warning=from stdout");
                    eprintln!("from stderr");
                }
                """, "fn main() {}", "--policy", policy.toString()).build(dir.resolve("target"));
        assertEquals(0, result.exitCode(), result.stderr());
        // Cargo gets the output untouched, and Cordon's lines after it: the package (the script lists nothing)
        // and the policy file, so that editing the policy re-runs the script (issue 18)
        assertEquals("cargo::warning=from stdout\ncargo:rerun-if-changed=" + dir.resolve("ws/probe")
                + "\ncargo:rerun-if-changed=" + policy + "\n", result.outputOf("probe-"));
        List<String> log = java.nio.file.Files.readAllLines(dir.resolve("target/cordon/live.log"));
        assertTrue(log.stream().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[probe\\] stdout\\| "
                + "cargo::warning=from stdout")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.endsWith("[probe] stderr| from stderr")), log.toString());
    }

    @Test
    void build_missingPolicyFileStopsTheBuild() {
        var result = project("fn main() {}", "fn main() {}", "--policy", dir.resolve("nope.toml").toString())
                .build(dir.resolve("target"));
        assertTrue(result.stderr().contains("exit status: " + ExitCodes.POLICY_NOT_FOUND), result.stderr());
    }

    /**
     * Issue 12, item 8: a member's build script reads its workspace (a sibling's {@code .proto}, as
     * prost/tonic builds do, and the root manifest), read-only, wherever the workspace lives: under
     * {@code /tmp} (private in the sandbox) and elsewhere.
     */
    @Test
    void build_workspaceMemberReadsItsWorkspaceReadOnly() throws Exception {
        Path elsewhere = Path.of(System.getProperty("cordon.repositoryRoot"), "examples", "target",
                "workspace-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            for (Path root : List.of(dir.resolve("ws"), elsewhere)) {
                var result = CargoProject.in(root).binaryPackage("app", """
                        fn main() {
                            let proto = std::fs::read_to_string("../proto/api.proto").expect("read ../proto/api.proto");
                            println!("cargo::warning=proto={}", proto.trim());
                            let manifest = std::fs::read_to_string("../Cargo.toml").expect("read the workspace manifest");
                            println!("cargo::warning=root-manifest={}", manifest.contains("[workspace]"));
                            let write = std::fs::write("../proto/planted.proto", "x").is_ok();
                            println!("cargo::warning=wrote-sibling={write}");
                        }
                        """, "fn main() {}")
                        .file("proto/api.proto", "syntax = \"proto3\";\n")
                        .workspace(List.of(CargoProject.runnerLauncher().toString()), "app")
                        .build(root.resolve("target"));
                assertEquals(0, result.exitCode(), root + ": " + result.stderr());
                assertEquals("""
                        cargo::warning=proto=syntax = "proto3";
                        cargo::warning=root-manifest=true
                        cargo::warning=wrote-sibling=false
                        """, result.outputOf("app-"), root.toString());
                assertTrue(!java.nio.file.Files.exists(root.resolve("proto/planted.proto")));
            }
        } finally {
            deleteTree(elsewhere);
        }
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        if (!java.nio.file.Files.exists(root)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }
}
