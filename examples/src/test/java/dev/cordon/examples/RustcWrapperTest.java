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
        assertEquals("rustc 1.95.0\nhost: x86_64-unknown-linux-gnu\ncordon-rustc: build scripts run through Cordon "
                + "launchers (v1)\n", run.stdout());
        assertEquals("chained: " + rustc + "\n", run.stderr());
    }
}
