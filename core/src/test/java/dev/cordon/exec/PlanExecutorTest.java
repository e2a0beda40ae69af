package dev.cordon.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.internal.exec.Outcome;
import dev.cordon.internal.exec.PlanExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanExecutorTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private ExecutionPlan sh(String script) {
        return ExecutionPlan.builder("test", dir).command("/bin/sh", "-c", script)
                .environment(Map.of("PATH", "/usr/bin:/bin")).build();
    }

    private Outcome run(ExecutionPlan plan, PlanExecutor.Watch watch) {
        return new PlanExecutor(out, err).execute(plan, watch);
    }

    private static PlanExecutor.Watch listening(List<String> lines) {
        return new PlanExecutor.Watch(Optional.empty(), Optional.empty(),
                Optional.of((stream, line) -> lines.add(stream + ":" + line)));
    }

    @Test
    void execute_copiesStdoutByteForByte() throws IOException {
        byte[] bytes = new byte[256 * 64];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        Path blob = Files.write(dir.resolve("blob"), bytes);
        Outcome o = run(sh("cat '" + blob + "'"), listening(new ArrayList<>()));
        assertEquals(0, o.exitCode());
        assertArrayEquals(bytes, out.toByteArray());
    }

    @Test
    void execute_streamsLinesToTheListenerAsTheyArrive() {
        List<String> lines = new ArrayList<>();
        run(sh("echo cargo::rustc-cfg=x; echo oops >&2; printf 'no newline'"), listening(lines));
        assertTrue(lines.contains("stdout:cargo::rustc-cfg=x"), lines.toString());
        assertTrue(lines.contains("stderr:oops"), lines.toString());
        assertEquals("cargo::rustc-cfg=x\nno newline", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void execute_passesAFinalLineWithoutNewlineToTheListenerAndToCargo() {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Outcome o = run(sh("echo first; printf 'last out'; printf 'last err' >&2"), listening(lines));
        assertEquals(List.of("stdout:first", "stdout:last out"),
                lines.stream().filter(l -> l.startsWith("stdout:")).toList());
        assertEquals(List.of("stderr:last err"), lines.stream().filter(l -> l.startsWith("stderr:")).toList());
        assertEquals("first\nlast out", out.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("first", "last out"), o.stdoutTail());
    }

    @Test
    void execute_keepsTheExitCode() {
        assertEquals(42, run(sh("exit 42"), PlanExecutor.Watch.none()).exitCode());
    }

    @Test
    void execute_namesTheSignalThatKilledTheScript() {
        Outcome o = run(sh("echo before-crash >&2; kill -SEGV $$"), PlanExecutor.Watch.none());
        assertEquals(Optional.of("SIGSEGV"), o.signal());
        assertEquals(128 + 11, o.exitCode());
        assertEquals(List.of("before-crash"), o.stderrTail());
    }

    @Test
    void execute_timeoutKillsTheWholeTree() throws Exception {
        Path marker = dir.resolve("marker");
        var watch = new PlanExecutor.Watch(Optional.of(Duration.ofMillis(700)), Optional.empty(), Optional.empty());
        Outcome o = run(sh("(sleep 2; touch '" + marker + "') & echo started >&2; sleep 30"), watch);
        assertEquals(ExitCodes.TIMEOUT, o.exitCode());
        assertEquals(Optional.of("timeout"), o.timedOut());
        assertTrue(o.elapsed().toMillis() < 10_000, o.elapsed().toString());
        assertFalse(o.hangReport().isEmpty());
        Thread.sleep(2500);
        assertFalse(Files.exists(marker), "a child of the timed-out script survived");
    }

    @Test
    void execute_idleTimeoutFiresOnlyWithoutOutput() {
        var watch = new PlanExecutor.Watch(Optional.empty(), Optional.of(Duration.ofMillis(800)), Optional.empty());
        Outcome chatty = run(sh("for i in 1 2 3 4 5; do echo tick; sleep 0.3; done"), watch);
        assertEquals(0, chatty.exitCode());
        Outcome silent = run(sh("echo one; sleep 20"), watch);
        assertEquals(Optional.of("idle-timeout"), silent.timedOut());
        assertEquals(List.of("one"), silent.stdoutTail());
    }

    @Test
    void execute_opensPlanDescriptorsAtTheirNumbers() throws IOException {
        Path file = Files.writeString(dir.resolve("filter"), "filter-bytes");
        // bash, since dash cannot name descriptor 10 in a redirection
        ExecutionPlan plan = ExecutionPlan.builder("test", dir).command("/bin/bash", "-c", "cat <&10")
                .descriptor(ExecutionPlan.Descriptor.readFile(10, file)).build();
        assertEquals(0, run(plan, listening(new ArrayList<>())).exitCode());
        assertEquals("filter-bytes", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void execute_writesPlanFilesFirst() throws IOException {
        Path profile = dir.resolve("sub/profile.sb");
        ExecutionPlan plan = sh("cat '" + profile + "'").toBuilder()
                .file(new ExecutionPlan.PlanFile(profile, "(version 1)".getBytes(StandardCharsets.UTF_8))).build();
        run(plan, listening(new ArrayList<>()));
        assertEquals("(version 1)", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void execute_givesExactlyThePlansEnvironment() {
        run(sh("env | sort"), listening(new ArrayList<>()));
        String env = out.toString(StandardCharsets.UTF_8);
        assertTrue(env.startsWith("PATH=/usr/bin:/bin\n"), env);
        assertFalse(env.contains("HOME="), env);
    }
}
