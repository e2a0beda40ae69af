package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Cordon on stable Cargo: every test of {@link CargoRunnerTest} and {@link BuildScriptContract} again, with
 * {@code bin/cordon-rustc} as {@code [build] rustc-wrapper} and plain {@code cargo build} (no {@code -Z}
 * flag, no {@code RUSTC_BOOTSTRAP}), plus what only this mode must get right: Cargo's freshness, target dirs
 * shared with other modes, the launcher's integrity and a chained wrapper.
 */
class StableCargoTest extends CargoRunnerTest {

    /**
     * A build script that tries to write a file outside the sandbox (the marker), reports whether it could,
     * and re-runs whenever {@code PROBE_RUN} changes. It never fails, so a build shows where it ran.
     */
    private static final String MARKER_SCRIPT = """
            fn main() {
                println!("cargo::rerun-if-env-changed=PROBE_RUN");
                let written = std::fs::write("MARKER", "escaped").is_ok();
                println!("cargo::warning=marker-{}", if written { "written" } else { "blocked" });
            }
            """;

    @Override
    protected CargoProject wire(CargoProject project) {
        return project.stable(CargoProject.rustcWrapper());
    }

    private CargoProject markerProject(Path marker) {
        return CargoProject.in(dir.resolve("ws")).binaryPackage("probe", MARKER_SCRIPT.replace("MARKER",
                marker.toString()), "fn main() {}").workspace(List.of(CargoProject.runnerLauncher().toString()), "probe");
    }

    @Test
    void build_buildScriptRunsThroughALauncherThatStartsTheRunner() throws IOException {
        Path marker = dir.resolve("outside/marker");
        Files.createDirectories(marker.getParent());
        var result = wire(markerProject(marker)).build(dir.resolve("target"));
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.outputOf("probe-").contains("marker-blocked"), result.stderr());
        assertFalse(Files.exists(marker), "the build script wrote outside the sandbox");
        List<Path> launchers = buildScriptExecutables(dir.resolve("target"));
        assertEquals(1, launchers.size(), launchers.toString());
        String launcher = Files.readString(launchers.getFirst());
        assertTrue(launcher.startsWith("#!/bin/sh\n"), launcher);
        assertTrue(launcher.contains("exec '" + CargoProject.runnerLauncher() + "' '" + launchers.getFirst()
                .getParent() + "/build_script_build-"), launcher);
        assertTrue(launcher.endsWith(".cordon-real' \"$@\"\n"), launcher);
    }

    @Test
    void build_secondBuildIsFreshAndEditingBuildRsRunsTheNewScriptSandboxed() throws Exception {
        Path marker = dir.resolve("outside/marker");
        Files.createDirectories(marker.getParent());
        CargoProject project = wire(markerProject(marker));
        var first = project.build(dir.resolve("target"));
        assertEquals(0, first.exitCode(), first.stderr());
        Map<Path, FileTime> before = modified(dir.resolve("target"));
        String depInfoBefore = Files.readString(dir.resolve("target/debug/probe.d"));

        var second = project.build(dir.resolve("target"), "-v");
        assertEquals(0, second.exitCode(), second.stderr());
        assertTrue(second.stderr().contains("Fresh probe v0.1.0"), second.stderr());
        assertFalse(second.stderr().contains("Running `"), "a build script or rustc ran again:\n" + second.stderr());
        Map<Path, FileTime> after = modified(dir.resolve("target"));
        // Cargo's own copy of the binary's dep-info (target/debug/probe.d) is rewritten now and then on a loaded
        // machine without anything having run (seen on the pre-session code too); whether anything ran is the -v
        // output above. Every other file of the target dir must keep its time.
        Path depInfo = dir.resolve("target/debug/probe.d");
        List<Path> changed = after.keySet().stream().filter(f -> !f.equals(depInfo))
                .filter(f -> !after.get(f).equals(before.get(f))).toList();
        assertEquals(List.of(), changed, "the second build changed files in the target dir; probe.d before:\n"
                + depInfoBefore + "\nafter:\n" + Files.readString(dir.resolve("target/debug/probe.d")));

        Files.writeString(dir.resolve("ws/probe/build.rs"), MARKER_SCRIPT.replace("MARKER", marker.toString())
                .replace("marker-", "edited-marker-"));
        var edited = project.build(dir.resolve("target"));
        assertEquals(0, edited.exitCode(), edited.stderr());
        assertTrue(edited.outputOf("probe-").contains("edited-marker-blocked"), edited.stderr());
        assertFalse(Files.exists(marker), "the edited build script ran outside the sandbox");
    }

    /**
     * The hole a rustc wrapper could leave: Cargo reuses a build-script binary it compiled earlier without
     * the wrapper, so a re-run would start it directly. Plain stable Cargo first (the script may escape, it
     * is not sandboxed), then the stable mode on the same target dir with a reason to re-run the script.
     */
    @Test
    void build_targetDirBuiltWithoutTheWrapperNeverRunsAnUnwrappedScript() throws IOException {
        Path marker = dir.resolve("outside/marker");
        Files.createDirectories(marker.getParent());
        var unsandboxed = markerProject(marker).withoutCordon().build(dir.resolve("target"));
        assertEquals(0, unsandboxed.exitCode(), unsandboxed.stderr());
        assertTrue(unsandboxed.outputOf("probe-").contains("marker-written"), "plain Cargo has no sandbox");
        Files.delete(marker);

        var wrapped = wire(markerProject(marker)).env("PROBE_RUN", "2").build(dir.resolve("target"));
        assertEquals(0, wrapped.exitCode(), wrapped.stderr());
        assertFalse(Files.exists(marker), "a build script ran unsandboxed in the wrapped build");
        assertTrue(wrapped.stderr().contains("marker-blocked"), wrapped.stderr());
    }

    @Test
    void build_targetDirSharedWithTheHostRunnerModeInBothOrders() throws IOException {
        Path marker = dir.resolve("outside/marker");
        Files.createDirectories(marker.getParent());
        var host = markerProject(marker).build(dir.resolve("target"));
        assertEquals(0, host.exitCode(), host.stderr());
        assertTrue(host.stderr().contains("marker-blocked"), host.stderr());

        var stable = wire(markerProject(marker)).env("PROBE_RUN", "2").build(dir.resolve("target"));
        assertEquals(0, stable.exitCode(), stable.stderr());
        assertTrue(stable.stderr().contains("marker-blocked"), stable.stderr());

        // Back to the host runner: it must get a real build script, not a launcher to sandbox twice.
        var again = markerProject(marker).env("PROBE_RUN", "3").build(dir.resolve("target"));
        assertEquals(0, again.exitCode(), again.stderr());
        assertTrue(again.stderr().contains("marker-blocked"), again.stderr());
        assertFalse(Files.exists(marker), "a build script escaped");
    }

    @Test
    void build_buildScriptCannotReplaceItsLauncherOrItsBinary() throws IOException {
        var result = wire(markerProject(dir.resolve("unused"))).file("probe/build.rs", """
                fn main() {
                    // OUT_DIR is <target>/debug/build/probe-<run hash>/out; the launcher is in probe-<build hash>.
                    let build = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("../..").canonicalize().unwrap();
                    for entry in std::fs::read_dir(&build).unwrap() {
                        let dir = entry.unwrap().path();
                        for file in std::fs::read_dir(&dir).unwrap() {
                            let file = file.unwrap().path();
                            let name = file.file_name().unwrap().to_string_lossy().to_string();
                            if name.starts_with("build_script_build") || name == "build-script-build" {
                                let outcome = match std::fs::write(&file, "#!/bin/sh\\necho pwned\\n") {
                                    Ok(()) => "replaced".to_string(),
                                    Err(e) => format!("refused ({e})"),
                                };
                                println!("cargo::warning={name}: {outcome}");
                            }
                        }
                    }
                }
                """).build(dir.resolve("target"));
        assertEquals(0, result.exitCode(), result.stderr());
        String out = result.outputOf("probe-");
        assertFalse(out.contains("replaced"), out);
        assertTrue(out.contains(".cordon-real: refused (Read-only file system"), out);
        assertTrue(out.contains("build-script-build: refused (Read-only file system"), out);
        for (Path launcher : buildScriptExecutables(dir.resolve("target"))) {
            assertTrue(Files.readString(launcher).contains("cordon-runner"), launcher.toString());
        }
    }

    /**
     * A build script's {@code cargo::rustc-env} sets variables for the rustc calls of its package, which run
     * outside any sandbox through this wrapper: naming a chained wrapper it wrote into {@code OUT_DIR} would
     * run that file on the host.
     */
    @Test
    void build_buildScriptCannotChainAWrapperThroughRustcEnv() throws IOException {
        Path marker = dir.resolve("outside/marker");
        Files.createDirectories(marker.getParent());
        // First line of defence: the directive firewall refuses rustc-env=CORDON_*.
        var refused = wire(markerProject(marker)).file("probe/build.rs", chainingScript(marker))
                .build(dir.resolve("target0"));
        assertFalse(Files.exists(marker), "a file the build script wrote ran on the host");
        assertTrue(refused.stderr().contains("refused the build-script directive \"cargo::rustc-env=CORDON_RUSTC_WRAPPER="),
                refused.stderr());
        // Second: with the directive allowed on purpose, the wrapper itself still refuses to chain to the file.
        Path policy = Files.writeString(dir.resolve("allow.toml"),
                "[permissions.build.probe]\ndirectives = { allow = [\"rustc-env=CORDON_RUSTC_WRAPPER=*\"] }\n");
        var result = wire(markerProject(marker)).file("probe/build.rs", chainingScript(marker))
                .env("CORDON_POLICY", policy.toString()).build(dir.resolve("target"));
        assertFalse(Files.exists(marker), "a file the build script wrote ran on the host");
        assertTrue(result.exitCode() != 0, result.stderr());
        assertTrue(result.stderr().contains("cordon-rustc: error: a build script set CORDON_ variables for rustc"),
                result.stderr());
    }

    private static String chainingScript(Path marker) {
        return """
                use std::os::unix::fs::PermissionsExt;
                fn main() {
                    let evil = format!("{}/evil.sh", std::env::var("OUT_DIR").unwrap());
                    std::fs::write(&evil, "#!/bin/sh\\ntouch 'MARKER'\\nexec \\"$@\\"\\n").unwrap();
                    std::fs::set_permissions(&evil, std::fs::Permissions::from_mode(0o755)).unwrap();
                    println!("cargo::rustc-env=CORDON_RUSTC_WRAPPER={evil}");
                    println!("cargo::rustc-env=OUT_DIR="); // OUT_DIR can be overridden too
                }
                """.replace("MARKER", marker.toString());
    }

    @Test
    void build_policyFromCargoEnvTableRelativeToTheWorkspace() throws IOException {
        Files.createDirectories(dir.resolve("ws"));
        Files.writeString(dir.resolve("ws/cordon.toml"), "[permissions.build.probe]\nenv = { set = { PROBE_FROM_POLICY = \"yes\" } }\n");
        var result = wire(CargoProject.in(dir.resolve("ws")).binaryPackage("probe", """
                fn main() { println!("cargo::warning=policy-set={}", std::env::var("PROBE_FROM_POLICY").unwrap_or_default()); }
                """, "fn main() {}").workspace(List.of(CargoProject.runnerLauncher().toString()), "probe"))
                .config("[env]\nCORDON_POLICY = { value = \"cordon.toml\", relative = true }")
                .build(dir.resolve("target"));
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.outputOf("probe-").contains("policy-set=yes"), result.stderr());
    }

    @Test
    void build_chainsSccacheAndStillSandboxesTheBuildScript() throws Exception {
        Path sccache = RequiredTools.require("sccache");
        Path marker = dir.resolve("outside/marker");
        Files.createDirectories(marker.getParent());
        String port = Integer.toString(20000 + (int) (ProcessHandle.current().pid() % 20000));
        Map<String, String> env = Map.of("CORDON_RUSTC_WRAPPER", sccache.toString(), "SCCACHE_DIR",
                dir.resolve("sccache").toString(), "SCCACHE_SERVER_PORT", port, "SCCACHE_IDLE_TIMEOUT", "120", "CARGO_INCREMENTAL", "0");
        try {
            for (String target : List.of("target1", "target2")) {
                CargoProject project = wire(markerProject(marker)).file("probe/src/lib.rs", "pub fn f() -> u32 { 7 }\n");
                env.forEach(project::env);
                var result = project.build(dir.resolve(target));
                assertEquals(0, result.exitCode(), result.stderr());
                assertTrue(result.stderr().contains("marker-blocked"), result.stderr());
            }
            ProcessBuilder stats = new ProcessBuilder(sccache.toString(), "--show-stats").redirectErrorStream(true);
            stats.environment().putAll(env);
            Process p = stats.start();
            String text = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            // The library was compiled by sccache twice: the second time from its cache.
            assertTrue(text.lines().anyMatch(l -> l.matches("Cache hits\\s+[1-9].*")), text);
        } finally {
            ProcessBuilder stop = new ProcessBuilder(sccache.toString(), "--stop-server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            stop.environment().putAll(env);
            stop.start().waitFor();
        }
        assertFalse(Files.exists(marker), "a build script escaped");
    }

    /** The executables Cargo runs as build scripts ({@code build-script-*}) in a target dir. */
    private static List<Path> buildScriptExecutables(Path target) throws IOException {
        try (Stream<Path> files = Files.walk(target.resolve("debug/build"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("build-script-")).sorted().toList();
        }
    }

    private static Map<Path, FileTime> modified(Path target) throws IOException {
        Map<Path, FileTime> times = new TreeMap<>();
        try (Stream<Path> files = Files.walk(target.resolve("debug"))) {
            // .cargo-lock is Cargo's lock file, touched by every build.
            for (Path f : files.filter(f -> Files.isRegularFile(f) && !f.endsWith(".cargo-lock")).toList()) {
                times.put(f, Files.getLastModifiedTime(f));
            }
        }
        return times;
    }
}
