package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/cordon-runner init}: the Cargo configuration of each mode, written safely, and used by real Cargo. */
class InitCommandTest {

    @TempDir
    Path dir;

    private record Run(int exitCode, String stdout, String stderr) {
    }

    private Run init(Path workspace, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CargoProject.runnerLauncher().toString(), "init"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workspace.toFile());
        pb.environment().remove("RUSTC_WRAPPER");
        pb.environment().putAll(env);
        Path out = dir.resolve("init-out.txt");
        Path err = dir.resolve("init-err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int code = p.waitFor();
        return new Run(code, Files.readString(out), Files.readString(err));
    }

    @Test
    void init_printsEachModesLinesAndThatNoCleanIsNeeded() throws Exception {
        Path bin = CargoProject.runnerLauncher().getParent().toRealPath();
        var stable = init(dir, Map.of(), "--mode", "stable");
        assertEquals(0, stable.exitCode(), stable.stderr());
        assertTrue(stable.stdout().contains("[build]\nrustc-wrapper = \"" + bin.resolve("cordon-rustc") + "\"\n"),
                stable.stdout());
        assertFalse(stable.stdout().contains("[host]"), stable.stdout());
        assertTrue(stable.stdout().contains("# no 'cargo clean' needed"), stable.stdout());

        var run = init(dir, Map.of(), "--mode=run,host-runner");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("[target.'cfg(all())']\nrunner = [\"" + bin.resolve("cordon-runner") + "\"]\n"),
                run.stdout());
        assertTrue(run.stdout().contains("[host]\nrunner = [\"" + bin.resolve("cordon-runner") + "\"]\n"), run.stdout());
        assertTrue(run.stdout().contains("-Zhost-config"), run.stdout());
    }

    @Test
    void init_saysAPolicyInCargoTomlIsFoundWithoutEnv() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("Cargo.toml"), "[workspace]\nmembers = []\n\n"
                + "[workspace.metadata.cordon.permissions.build.sqlx]\ntimeout = \"2m\"\n");
        var found = init(dir, Map.of(), "--mode", "stable");
        assertEquals(0, found.exitCode(), found.stderr());
        assertTrue(found.stdout().contains("# The policy: the metadata.cordon tables of this Cargo.toml"), found.stdout());
        assertTrue(found.stdout().contains("# CORDON_POLICY = { value = \"Cargo.toml\", relative = true }"),
                found.stdout());
        assertFalse(found.stdout().contains("No cordon.toml here"), found.stdout());
    }

    @Test
    void init_refusesBothBuildScriptModesAndUnknownModes() throws Exception {
        var both = init(dir, Map.of(), "--mode", "stable,host-runner");
        assertEquals(64, both.exitCode());
        assertTrue(both.stderr().contains("choose stable or host-runner, not both"), both.stderr());
        var unknown = init(dir, Map.of(), "--mode", "nightly");
        assertEquals(64, unknown.exitCode());
        assertTrue(unknown.stderr().contains("unknown mode 'nightly'"), unknown.stderr());
    }

    @Test
    void init_warnsThatAnEnvironmentRustcWrapperBypassesCordon() throws Exception {
        var result = init(dir, Map.of("RUSTC_WRAPPER", "sccache"), "--mode", "stable");
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stdout().contains("WARNING: RUSTC_WRAPPER=sccache is set in your environment"), result.stdout());
        assertTrue(result.stdout().contains("set CORDON_RUSTC_WRAPPER=sccache instead"), result.stdout());
    }

    @Test
    void init_saysCleanIsNeededForLaunchersOfAnotherRunner() throws Exception {
        Path build = Files.createDirectories(dir.resolve("target/debug/build/probe-0123456789abcdef"));
        Files.writeString(build.resolve("build_script_build-0123456789abcdef"),
                "#!/bin/sh\n# Written by cordon-rustc\nexec '/old/checkout/bin/cordon-runner' '/x.cordon-real' \"$@\"\n");
        var result = init(dir, Map.of(), "--mode", "stable");
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stdout().contains("'cargo clean' IS needed"), result.stdout());
    }

    @Test
    void init_writeAddsTheLinesCargoThenUsesAndRefusesATableTwice() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        Path outside = Files.createDirectories(dir.resolve("outside"));
        CargoProject project = CargoProject.in(dir.resolve("ws")).binaryPackage("probe", """
                fn main() {
                    let written = std::fs::write("OUTSIDE/escaped", "x").is_ok();
                    println!("cargo::warning=write-{}", if written { "escaped" } else { "blocked" });
                }
                """.replace("OUTSIDE", outside.toString()), "fn main() {}").workspace(List.of(), "probe").withoutCordon();
        var write = init(dir.resolve("ws"), Map.of(), "--mode", "stable", "--write");
        assertEquals(0, write.exitCode(), write.stderr());
        assertTrue(write.stderr().contains("cordon: wrote the stable configuration to"), write.stderr());

        var build = project.build(dir.resolve("target"));
        assertEquals(0, build.exitCode(), build.stderr());
        assertTrue(build.outputOf("probe-").contains("write-blocked"), build.stderr());
        assertFalse(Files.exists(outside.resolve("escaped")));

        String before = Files.readString(dir.resolve("ws/.cargo/config.toml"));
        var again = init(dir.resolve("ws"), Map.of(), "--mode", "stable", "--write");
        assertEquals(73, again.exitCode());
        assertTrue(again.stderr().contains("already has a [build] table"), again.stderr());
        assertEquals(before, Files.readString(dir.resolve("ws/.cargo/config.toml")), "a refused write changed the file");
    }
}
