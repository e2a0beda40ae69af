package dev.cordon.invocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.RunnerInvocation;
import dev.cordon.internal.invocation.TargetRunnerDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Telling a cargo run/test/bench call from a build-script call, with Cargo 1.95's layout and variables. */
class TargetRunnerDecoderTest {

    @TempDir
    Path target;

    /** The variables Cargo sets for a test binary of a package with a build script (no HOST, TARGET, NUM_JOBS). */
    private Map<String, String> runEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("CARGO_PKG_NAME", "probe");
        env.put("CARGO_MANIFEST_DIR", "/ws/probe");
        env.put("CARGO", "/usr/bin/cargo");
        env.put("OUT_DIR", target + "/debug/build/probe-31fa7aa377f13cc5/out");
        return env;
    }

    private Path file(String relative) throws IOException {
        Path file = target.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "");
    }

    @Test
    void decode_testBinaryWithItsArgumentsIsARun() throws IOException {
        Files.writeString(target.resolve("CACHEDIR.TAG"), "Signature: 8a477f597d28d172789f06886806bc55\n");
        Path test = file("debug/deps/probe-bd89bf6f8523377b");
        var invocation = new TargetRunnerDecoder().decode(List.of(test.toString(), "--nocapture", "filter"),
                Path.of("/ws/probe"), runEnvironment()).orElseThrow();
        assertEquals(RunnerInvocation.Kind.RUN, invocation.kind());
        assertEquals(List.of("--nocapture", "filter"), invocation.arguments());
        assertEquals(target, invocation.targetDir().orElseThrow(), "from CACHEDIR.TAG, not from OUT_DIR");
    }

    @Test
    void decode_crossCompiledBinaryFindsTheTargetDirAboveTheTriple() throws IOException {
        Files.writeString(target.resolve("CACHEDIR.TAG"), "");
        Path binary = file("x86_64-unknown-linux-musl/release/examples/demo");
        var invocation = new TargetRunnerDecoder().decode(List.of(binary.toString()), Path.of("/ws"),
                runEnvironment()).orElseThrow();
        assertEquals(target, invocation.targetDir().orElseThrow());
    }

    @Test
    void decode_declinesABuildScriptInItsBuildDirectory() throws IOException {
        for (String name : List.of("debug/build/probe-eb6f525dababb60d/build-script-build",
                "debug/build/probe-eb6f525dababb60d/build_script_build-eb6f525dababb60d.cordon-real")) {
            Path script = file(name);
            assertTrue(new TargetRunnerDecoder().decode(List.of(script.toString()), Path.of("/ws/probe"),
                    runEnvironment()).isEmpty(), name);
        }
    }

    @Test
    void decode_declinesACallWithEveryBuildScriptVariable() throws IOException {
        Path program = file("elsewhere/program");
        Map<String, String> env = runEnvironment();
        env.putAll(Map.of("HOST", "x86_64-unknown-linux-gnu", "TARGET", "x86_64-unknown-linux-gnu", "NUM_JOBS", "2"));
        assertTrue(new TargetRunnerDecoder().decode(List.of(program.toString()), Path.of("/ws"), env).isEmpty());
        env.remove("NUM_JOBS"); // a shell that exports HOST and TARGET does not make a run a build script
        assertEquals(RunnerInvocation.Kind.RUN, new TargetRunnerDecoder().decode(List.of(program.toString()),
                Path.of("/ws"), env).orElseThrow().kind());
    }

    @Test
    void decode_declinesACallWithoutCargosPackageVariables() throws IOException {
        Path program = file("debug/deps/probe-1");
        Map<String, String> env = runEnvironment();
        env.remove("CARGO_MANIFEST_DIR");
        assertTrue(new TargetRunnerDecoder().decode(List.of(program.toString()), Path.of("/ws"), env).isEmpty());
    }
}
