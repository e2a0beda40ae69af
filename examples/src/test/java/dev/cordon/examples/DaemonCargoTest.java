package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExitCodes;
import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/cordon-runner through the plan daemon (launcher/src/main/c/cordon-client.c, compiled here) under
 * real Cargo: the same results as the JVM runner, and the daemon really planned them.
 */
class DaemonCargoTest extends BuildScriptContract {

    @TempDir
    static Path shared;

    private static WarmPath warm;

    @BeforeAll
    static void build() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        warm = WarmPath.in(shared);
    }

    @AfterAll
    static void stopDaemons() throws IOException {
        warm.stop();
    }

    @Override
    protected CargoProject probe(String buildRs, String... runnerArgs) {
        return project(buildRs, runnerArgs);
    }

    private CargoProject project(String buildRs, String... runnerArgs) {
        List<String> runner = new java.util.ArrayList<>(List.of(CargoProject.runnerLauncher().toString()));
        runner.addAll(List.of(runnerArgs));
        return warm.wire(CargoProject.in(dir.resolve("ws")).binaryPackage("probe", buildRs, "fn main() {}")
                .workspace(runner, "probe"));
    }

    private static long plansServed() throws IOException {
        return warm.plansServed();
    }

    @Test
    void build_directivesReachCargoFromADaemonPlan() throws IOException {
        long before = plansServed();
        var result = project("""
                fn main() {
                    println!("cargo::rustc-cfg=from_build_script");
                    println!("cargo::rustc-env=PROBE_VALUE=42");
                }
                """).build(dir.resolve("target"));
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("cargo::rustc-cfg=from_build_script\ncargo::rustc-env=PROBE_VALUE=42\n",
                result.outputOf("probe-"));
        assertEquals(before + 1, plansServed(), "the daemon did not plan the build script");
    }

    @Test
    void build_hungBuildScriptIsKilledAtItsTimeoutOnTheWarmPath() throws IOException {
        Path policy = Files.writeString(dir.resolve("cordon.toml"), "[permissions.build.probe]\ntimeout = \"2s\"\n");
        Path marker = dir.resolve("still-running");
        long before = plansServed();
        var result = project("""
                fn main() {
                    eprintln!("waiting for a server that never answers");
                    // A child that would outlive a careless kill, then a hang.
                    std::process::Command::new("sh").arg("-c").arg("sleep 4; touch MARKER").spawn().unwrap();
                    std::thread::sleep(std::time::Duration::from_secs(60));
                }
                """.replace("MARKER", marker.toString()), "--policy", policy.toString()).build(dir.resolve("target"));
        assertNotEquals(0, result.exitCode());
        assertEquals(before + 1, plansServed(), "a timeout must not force the cold path");
        assertTrue(result.stderr().contains("exit status: 124"), result.stderr());
        assertTrue(result.stderr().contains("cordon: build script of probe v0.1.0 killed after"), result.stderr());
        assertTrue(result.stderr().contains("timeout of 2s"), result.stderr());
        assertTrue(result.stderr().contains("cordon: what it was doing when killed:"), result.stderr());
        assertTrue(result.stderr().contains("cordon: | waiting for a server that never answers"), result.stderr());
        try {
            Thread.sleep(4000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertTrue(!Files.exists(marker), "a process of the timed-out build script survived it");
    }

    @Test
    void build_silentBuildScriptIsKilledAtItsIdleTimeoutOnTheWarmPath() throws IOException {
        Path policy = Files.writeString(dir.resolve("cordon.toml"),
                "[permissions.build.probe]\nidle-timeout = \"2s\"\n");
        long before = plansServed();
        var result = project("""
                fn main() {
                    eprintln!("last words before the silence");
                    std::thread::sleep(std::time::Duration::from_secs(60));
                }
                """, "--policy", policy.toString()).build(dir.resolve("target"));
        assertNotEquals(0, result.exitCode());
        assertEquals(before + 1, plansServed(), "an idle limit must not force the cold path");
        assertTrue(result.stderr().contains("exit status: 124"), result.stderr());
        assertTrue(result.stderr().contains("idle timeout of 2s without output"), result.stderr());
        assertTrue(result.stderr().contains("cordon: | last words before the silence"), result.stderr());
    }

    @Test
    void build_idleLimitKeepsStdoutByteForByteForAChattyScript() throws IOException {
        Path policy = Files.writeString(dir.resolve("cordon.toml"),
                "[permissions.build.probe]\nidle-timeout = \"2s\"\n");
        var result = project("""
                fn main() {
                    for i in 0..4 {
                        println!("cargo::rustc-env=STEP_{i}=é{i}");
                        eprintln!("working {i}");
                        std::thread::sleep(std::time::Duration::from_millis(700));
                    }
                    print!("cargo::warning=no newline at the end");
                }
                """, "--policy", policy.toString()).build(dir.resolve("target"));
        assertEquals(0, result.exitCode(), result.stderr());
        // byte for byte, and then Cordon's lines, which start a line of their own (issue 18: policy edits)
        assertEquals("cargo::rustc-env=STEP_0=é0\ncargo::rustc-env=STEP_1=é1\ncargo::rustc-env=STEP_2=é2\n"
                + "cargo::rustc-env=STEP_3=é3\ncargo::warning=no newline at the end\ncargo:rerun-if-changed="
                + dir.resolve("ws/probe") + "\ncargo:rerun-if-changed=" + policy + "\n", result.outputOf("probe-"));
    }

    @Test
    void build_changedPolicyIsReadAgainAndItsErrorsReportedByTheJvmRunner() throws IOException {
        Path policy = dir.resolve("cordon.toml");
        Files.writeString(policy, "[permissions.build]\n");
        String buildRs = "fn main() { println!(\"cargo::warning=the build script ran\"); }";
        var first = project(buildRs, "--policy", policy.toString()).build(dir.resolve("target1"));
        assertEquals(0, first.exitCode(), first.stderr());
        Files.writeString(policy, "[permissions.build]\nnetwrok-access = { action = \"deny\" }\n");
        var second = project(buildRs, "--policy", policy.toString()).build(dir.resolve("target2"));
        assertTrue(second.stderr().contains("exit status: " + ExitCodes.INVALID_POLICY), second.stderr());
        assertTrue(second.stderr().contains("network-access"), second.stderr());
        assertTrue(!second.stderr().contains("the build script ran"), second.stderr());
    }

    @Test
    void build_auditLogRecordsDaemonRuns() throws IOException {
        Path audit = dir.resolve("audit.jsonl");
        var result = project("fn main() {}").env("CORDON_AUDIT_LOG", audit.toString()).build(dir.resolve("target"));
        assertEquals(0, result.exitCode(), result.stderr());
        List<String> lines = Files.readAllLines(audit);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.getFirst().contains("\"crate\":\"probe\""), lines.getFirst());
        assertTrue(lines.getFirst().contains("\"exitCode\":0"), lines.getFirst());
    }

    @Test
    void daemonLog_overOneMebibyteMovesAsideWhenTheNextDaemonStarts() throws Exception {
        var first = project("fn main() {}").build(dir.resolve("target1"));
        assertEquals(0, first.exitCode(), first.stderr());
        List<Path> logs = warm.logs();
        assertTrue(!logs.isEmpty(), "no daemon log");
        for (Path log : logs) {
            Files.write(log, new byte[1_100_000], java.nio.file.StandardOpenOption.APPEND);
        }
        warm.stop();
        Thread.sleep(1_500); // a daemon leaves within a second of losing its socket

        var second = project("fn main() {}").build(dir.resolve("target2"));
        assertEquals(0, second.exitCode(), second.stderr());
        long rotated = 0;
        for (Path log : logs) {
            if (Files.exists(log.resolveSibling(log.getFileName() + ".1"))) {
                rotated++;
                assertTrue(Files.size(log) < 1_000_000, "the new daemon logs to a fresh file: " + Files.size(log));
            }
        }
        assertEquals(1, rotated, "the restarted daemon's old log was moved to .log.1");
    }
}
