package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.BuildScripts;
import dev.cordon.testing.CargoProject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every way of running the reference runner must do for Cargo, whether a runner JVM runs the script
 * (the cold path) or the plan daemon's client does (the warm path): failures keep their stderr and exit
 * status, crashes are named by signal, and Cargo's jobserver reaches the script.
 */
abstract class BuildScriptContract {

    @TempDir
    Path dir;

    /**
     * @param buildRs the build script of a package {@code probe}
     * @param runnerArgs arguments for {@code [host] runner} after the launcher
     * @return a workspace wired to the runner this suite tests
     */
    protected abstract CargoProject probe(String buildRs, String... runnerArgs);

    @Test
    void build_failingBuildScriptFailsTheBuildWithItsStderrAndExitCode() {
        var result = probe("""
                fn main() {
                    eprintln!("custom failure text from the build script");
                    std::process::exit(3);
                }
                """).build(dir.resolve("target"));
        assertNotEquals(0, result.exitCode());
        assertTrue(result.stderr().contains("custom failure text from the build script"), result.stderr());
        assertTrue(result.stderr().contains("exit status: 3"), result.stderr());
        assertTrue(result.stderr().contains("cordon: build script of probe v0.1.0 failed with exit status 3"),
                result.stderr());
    }

    @Test
    void build_crashingBuildScriptIsReportedBySignalName() {
        var result = probe("""
                fn main() {
                    eprintln!("about to abort");
                    std::process::abort();
                }
                """).build(dir.resolve("target"));
        assertNotEquals(0, result.exitCode());
        assertTrue(result.stderr().contains("was killed by SIGABRT"), result.stderr());
        assertTrue(result.stderr().contains("cordon: | about to abort"), result.stderr());
    }

    @Test
    void build_jobserverTokensReachTheBuildScript() {
        var result = probe(BuildScripts.JOBSERVER_TOKEN).build(dir.resolve("target"), "-j", "2");
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.outputOf("probe-").contains("cargo::warning=token-ok"), result.stderr());
    }
}
