package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/cordon-rustc} against a stand-in rustc that writes the file named in {@code $FAKE_OUTPUT}: which
 * calls it wraps, how it finds the output (also through an {@code @argfile}, Cargo's fallback for long
 * command lines), and that it fails closed. The real-Cargo behaviour is {@link StableCargoTest}'s.
 */
class RustcWrapperTest {

    @TempDir
    Path dir;
    private Path rustc;
    private Path out;

    private record Run(int exitCode, String stdout, String stderr) {
    }

    @BeforeEach
    void standIn() throws IOException {
        out = Files.createDirectories(dir.resolve("target/debug/build/probe-0123456789abcdef"));
        rustc = executable("rustc", """
                #!/bin/sh
                if [ "$1" = -vV ]; then echo "rustc 1.95.0"; echo "host: x86_64-unknown-linux-gnu"; exit 0; fi
                echo "$*" > "$FAKE_LOG"
                [ -n "$FAKE_OUTPUT" ] && printf 'real binary' > "$FAKE_OUTPUT"
                exit "${FAKE_STATUS:-0}"
                """);
    }

    private Path executable(String name, String text) throws IOException {
        Path file = Files.writeString(dir.resolve(name), text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private Run wrapper(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CargoProject.rustcWrapper().toString(), rustc.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("CORDON_RUSTC_WRAPPER");
        pb.environment().put("FAKE_LOG", dir.resolve("rustc.log").toString());
        pb.environment().putAll(env);
        Path o = dir.resolve("stdout.txt");
        Path e = dir.resolve("stderr.txt");
        int code = pb.redirectOutput(o.toFile()).redirectError(e.toFile()).start().waitFor();
        return new Run(code, Files.readString(o), Files.readString(e));
    }

    private List<String> buildScriptArgs() {
        return List.of("--crate-name", "build_script_build", "--edition=2021", "build.rs", "--crate-type", "bin",
                "--emit=dep-info,link", "-C", "metadata=fedcba", "-C", "extra-filename=-0123456789abcdef",
                "--out-dir", out.toString());
    }

    @Test
    void wrapper_putsALauncherInPlaceOfABuildScriptFoundThroughAnArgfile() throws Exception {
        Path argfile = Files.write(dir.resolve("args"), buildScriptArgs());
        Path binary = out.resolve("build_script_build-0123456789abcdef");
        var run = wrapper(Map.of("FAKE_OUTPUT", binary.toString()), "@" + argfile);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("@" + argfile + "\n", Files.readString(dir.resolve("rustc.log")), "rustc got its arguments untouched");
        assertEquals("real binary", Files.readString(out.resolve("build_script_build-0123456789abcdef.cordon-real")));
        assertEquals("#!/bin/sh\n# Written by cordon-rustc: runs the build script beside this file in Cordon's sandbox.\n"
                + "exec '" + CargoProject.runnerLauncher() + "' '" + binary + ".cordon-real' \"$@\"\n",
                Files.readString(binary));
        assertTrue(Files.isExecutable(binary));
    }

    @Test
    void wrapper_quotesAwkwardPathsInTheLauncher() throws Exception {
        out = Files.createDirectories(dir.resolve("it's a \"target\" $HOME/build/p-1"));
        Path binary = out.resolve("build_script_main-1");
        List<String> args = new ArrayList<>(buildScriptArgs());
        args.set(1, "build_script_main");
        args.set(10, "extra-filename=-1");
        args.set(12, out.toString());
        var run = wrapper(Map.of("FAKE_OUTPUT", binary.toString()), args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.stderr());
        Process sh = new ProcessBuilder("/bin/sh", "-n", binary.toString()).start();
        assertEquals(0, sh.waitFor(), "the launcher is not valid sh");
        assertTrue(Files.readString(binary).contains("'" + out.toString().replace("'", "'\\''") + "/build_script_main-1.cordon-real'"),
                Files.readString(binary));
    }

    @Test
    void wrapper_leavesEveryOtherCrateUntouched() throws Exception {
        Path lib = dir.resolve("libserde.rlib");
        var run = wrapper(Map.of("FAKE_OUTPUT", lib.toString()), "--crate-name", "serde", "--crate-type", "lib",
                "--out-dir", dir.toString(), "--cfg", "feature=\"a --crate-name build_script_x\"");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("real binary", Files.readString(lib));
        assertFalse(Files.exists(dir.resolve("libserde.rlib.cordon-real")));
    }

    @Test
    void wrapper_failsClosedWhenTheBuildScriptIsNotWhereRustcShouldHavePutIt() throws Exception {
        var run = wrapper(Map.of("FAKE_OUTPUT", dir.resolve("elsewhere").toString()),
                buildScriptArgs().toArray(String[]::new));
        assertEquals(1, run.exitCode());
        assertTrue(run.stderr().contains("refusing to go on without a launcher"), run.stderr());
    }

    @Test
    void wrapper_passesRustcsFailureOnWithoutALauncher() throws Exception {
        var run = wrapper(Map.of("FAKE_OUTPUT", "", "FAKE_STATUS", "7"), buildScriptArgs().toArray(String[]::new));
        assertEquals(7, run.exitCode());
        assertFalse(Files.exists(out.resolve("build_script_build-0123456789abcdef.cordon-real")));
    }

    @Test
    void wrapper_marksRustcsVersionAndChainsAnotherWrapper() throws Exception {
        Path chained = executable("chained", "#!/bin/sh\necho \"chained: $1\" >&2\nexec \"$@\"\n");
        var run = wrapper(Map.of("CORDON_RUSTC_WRAPPER", chained.toString()), "-vV");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("rustc 1.95.0\nhost: x86_64-unknown-linux-gnu\ncordon-rustc: build scripts and proc "
                + "macros run in Cordon's sandbox (v2)\n", run.stdout());
        assertEquals("chained: " + rustc + "\n", run.stderr());
    }

    /** A stand-in runner that records how the wrapper called it. */
    private Path fakeRunner() throws IOException {
        return executable("runner", "#!/bin/sh\necho \"$*\" > \"$FAKE_RUNNER_LOG\"\n");
    }

    private List<String> libraryArgs(String name, String type, String... externs) {
        List<String> args = new ArrayList<>(List.of("--crate-name", name, "--edition=2021", "src/lib.rs",
                "--crate-type", type, "--emit=dep-info,metadata,link", "-C", "extra-filename=-00ff",
                "--out-dir", dir.resolve("target/debug/deps").toString(), "-L",
                "dependency=" + dir.resolve("target/debug/deps")));
        for (String e : externs) {
            args.addAll(List.of("--extern", e));
        }
        return args;
    }

    @Test
    void wrapper_marksAProcMacroWithItsPackageAndSandboxesTheCallsThatReachIt() throws Exception {
        Path deps = Files.createDirectories(dir.resolve("target/debug/deps"));
        Path markers = dir.resolve("target/debug/cordon-macros");
        Map<String, String> env = Map.of("CARGO_PKG_NAME", "my-derive", "CORDON_RUNNER", fakeRunner().toString(),
                "FAKE_RUNNER_LOG", dir.resolve("runner.log").toString());
        var built = wrapper(env, libraryArgs("my_derive", "proc-macro").toArray(String[]::new));
        assertEquals(0, built.exitCode(), built.stderr());
        assertTrue(Files.exists(dir.resolve("rustc.log")), "rustc compiled the proc macro itself");
        assertEquals("my-derive\n", Files.readString(markers.resolve("libmy_derive-00ff.so")));

        // A library that names the macro: rustc runs through the runner, and the library is marked as reaching it.
        Files.delete(dir.resolve("rustc.log"));
        List<String> user = libraryArgs("user", "lib", "my_derive=" + deps.resolve("libmy_derive-00ff.so"));
        var used = wrapper(env, user.toArray(String[]::new));
        assertEquals(0, used.exitCode(), used.stderr());
        assertFalse(Files.exists(dir.resolve("rustc.log")), "rustc ran outside the runner");
        assertEquals("macro --proc-macros my-derive -- " + rustc + " " + String.join(" ", user) + "\n",
                Files.readString(dir.resolve("runner.log")));
        assertEquals("my-derive\n", Files.readString(markers.resolve("libuser-00ff.rlib")));
        assertEquals("my-derive\n", Files.readString(markers.resolve("libuser-00ff.rmeta")));

        // A crate that names only that library (a re-export) still loads the macro.
        Files.delete(dir.resolve("runner.log"));
        var reexport = wrapper(env, libraryArgs("app", "bin", "user=" + deps.resolve("libuser-00ff.rmeta"))
                .toArray(String[]::new));
        assertEquals(0, reexport.exitCode(), reexport.stderr());
        assertTrue(Files.readString(dir.resolve("runner.log")).startsWith("macro --proc-macros my-derive -- "));
    }

    @Test
    void wrapper_execsRustcForACallThatReachesNoProcMacro() throws Exception {
        Path deps = Files.createDirectories(dir.resolve("target/debug/deps"));
        Map<String, String> env = Map.of("CARGO_PKG_NAME", "plain", "CORDON_RUNNER", fakeRunner().toString(),
                "FAKE_RUNNER_LOG", dir.resolve("runner.log").toString());
        // A dynamic library without a marker (a dylib crate) and an rlib: no proc macro.
        var run = wrapper(env, libraryArgs("plain", "lib", "dy=" + deps.resolve("libdy-1.so"),
                "serde=" + deps.resolve("libserde-1.rlib")).toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(Files.exists(dir.resolve("rustc.log")));
        assertFalse(Files.exists(dir.resolve("runner.log")));
        assertFalse(Files.exists(dir.resolve("target/debug/cordon-macros")));
    }

    @Test
    void wrapper_compilesABuildScriptThatUsesAProcMacroInTheSandboxAndStillPutsItsLauncherInPlace() throws Exception {
        Path deps = Files.createDirectories(dir.resolve("target/debug/deps"));
        Files.createDirectories(dir.resolve("target/debug/cordon-macros"));
        Files.writeString(dir.resolve("target/debug/cordon-macros/libmy_derive-00ff.so"), "my-derive\n");
        // The runner stand-in records its call and runs the rustc after "--", as the sandbox would.
        Path runner = executable("runner-exec", "#!/bin/sh\necho \"$*\" > \"$FAKE_RUNNER_LOG\"\n"
                + "while [ \"$1\" != -- ]; do shift; done; shift; exec \"$@\"\n");
        List<String> args = new ArrayList<>(buildScriptArgs());
        args.addAll(List.of("--extern", "my_derive=" + deps.resolve("libmy_derive-00ff.so")));
        Path binary = out.resolve("build_script_build-0123456789abcdef");
        var run = wrapper(Map.of("CARGO_PKG_NAME", "probe", "CORDON_RUNNER", runner.toString(), "FAKE_RUNNER_LOG",
                dir.resolve("runner.log").toString(), "FAKE_OUTPUT", binary.toString()), args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(Files.readString(dir.resolve("runner.log")).startsWith("macro --proc-macros my-derive -- " + rustc),
                Files.readString(dir.resolve("runner.log")));
        assertEquals("real binary", Files.readString(out.resolve("build_script_build-0123456789abcdef.cordon-real")));
        assertTrue(Files.readString(binary).contains("exec '" + runner + "' '" + binary + ".cordon-real'"));
    }
}
