package dev.cordon.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.TimeLimit;
import dev.cordon.internal.exec.ChildSetup;
import dev.cordon.internal.exec.Outcome;
import dev.cordon.internal.exec.DirectiveCheck;
import dev.cordon.internal.exec.LocalSpawner;
import dev.cordon.internal.exec.Supervisor;
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
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisorTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private ExecutionPlan sh(String script) {
        return ExecutionPlan.builder("test", dir).command("/bin/sh", "-c", script)
                .environment(Map.of("PATH", "/usr/bin:/bin")).build();
    }

    private Outcome run(ExecutionPlan plan, Supervisor.Watch watch) {
        return new Supervisor(new LocalSpawner(), out, err).execute(plan, watch);
    }

    private static Supervisor.Watch listening(List<String> lines) {
        return new Supervisor.Watch(Optional.empty(), Optional.empty(),
                Optional.of((stream, line) -> lines.add(stream + ":" + line)), DirectiveCheck.NONE);
    }

    /** Refuses every line that contains "EVIL". */
    private static Supervisor.Watch refusingEvil() {
        return new Supervisor.Watch(Optional.empty(), Optional.empty(), Optional.empty(), (line, length) ->
                new String(line, 0, length, StandardCharsets.ISO_8859_1).contains("EVIL")
                        ? Optional.of("evil line") : Optional.empty());
    }

    /**
     * The cold path sets the run's limits in the prelude that starts the plan: the plan's own pid in each
     * cgroup.procs file (plain files stand in for a cgroup; ResourceLimitsTest runs real ones through Cargo)
     * and the open-files limit, soft and hard; no program runs in front of the plan.
     */
    @Test
    void execute_childSetupJoinsTheCgroupsAndSetsTheOpenFilesLimitBeforeThePlan() throws IOException {
        Path pids = Files.writeString(dir.resolve("pids.procs"), "");
        Path memory = Files.writeString(dir.resolve("memory.procs"), "");
        Outcome o = new Supervisor(new LocalSpawner(), out, err).execute(
                sh("echo $$ $(cat '" + pids + "') $(cat '" + memory + "') $(ulimit -Sn) $(ulimit -Hn)"),
                new ChildSetup(List.of(pids, memory), OptionalLong.of(321)), Supervisor.Watch.none());
        assertEquals(0, o.exitCode(), err.toString());
        String[] f = out.toString(StandardCharsets.UTF_8).trim().split(" ");
        assertEquals(List.of(f[0], f[0], f[0], "321", "321"), List.of(f));
    }

    @Test
    void execute_childSetupThatFailsStartsNothing() {
        Path marker = dir.resolve("ran");
        Outcome o = new Supervisor(new LocalSpawner(), out, err).execute(sh("touch '" + marker + "'"),
                new ChildSetup(List.of(Path.of("/nonexistent/cgroup.procs")), OptionalLong.empty()),
                Supervisor.Watch.none());
        assertEquals(ExitCodes.SANDBOX_FAILED, o.exitCode());
        assertFalse(Files.exists(marker), "the plan ran outside its limits");
    }

    @Test
    void execute_refusedLineStopsTheScriptAndReachesNoOne() throws IOException {
        Path marker = dir.resolve("after");
        // no fork after the refused line: a shell loop of builtins, then the marker
        Outcome o = run(sh("echo cargo::rustc-cfg=fine; echo cargo::rustc-env=EVIL=1; i=0; while [ $i -lt 300000 ]; "
                + "do i=$((i+1)); done; echo x > '" + marker + "'; echo late"), refusingEvil());
        assertEquals(ExitCodes.DIRECTIVE_REFUSED, o.exitCode());
        assertEquals(Optional.of("evil line"), o.refusal());
        assertEquals("cargo::rustc-cfg=fine\n", out.toString(StandardCharsets.UTF_8));
        assertTrue(o.elapsed().toMillis() < 1500, "the script was not stopped at once: " + o.elapsed());
        assertFalse(Files.exists(marker));
    }

    /** stderr through a line rewrite: whole lines, written in pieces or not; a too long line and a last line as they are. */
    @Test
    void execute_stderrLinesAreRewrittenWholeAndEverythingElsePassesAsItIs() {
        var watch = new Supervisor.Watch(Optional.empty(), Optional.empty(), Optional.empty(), DirectiveCheck.NONE,
                Optional.empty(), Optional.of((line, length) -> length > 0 && line[0] == 'X'
                        ? Optional.of(("Y" + new String(line, 1, length - 1, StandardCharsets.UTF_8)).getBytes(
                                StandardCharsets.UTF_8)) : Optional.empty()));
        int longLength = (1 << 20) + 100; // over the longest line the supervisor buffers
        Outcome o = run(sh("exec >&2; printf 'Xone\\nkeep\\nX'; sleep 0.2; printf 'two\\n'; printf X; head -c "
                + (longLength - 1) + " /dev/zero | tr '\\0' a; printf '\\nXlast'"), watch);
        assertEquals(0, o.exitCode());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        String expected = "Yone\nkeep\nYtwo\nX" + "a".repeat(longLength - 1) + "\nXlast";
        String got = err.toString(StandardCharsets.UTF_8);
        assertEquals(expected.length(), got.length());
        assertEquals(expected, got);
    }

    @Test
    void execute_checksALineWrittenInPieces() {
        Outcome o = run(sh("printf 'cargo::rustc-env=E'; sleep 0.2; printf 'VIL=1\\n'"), refusingEvil());
        assertEquals(ExitCodes.DIRECTIVE_REFUSED, o.exitCode());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void execute_checksAFinalLineWithoutNewline() {
        Outcome o = run(sh("echo ok; printf 'cargo::rustc-env=EVIL=1'"), refusingEvil());
        assertEquals(ExitCodes.DIRECTIVE_REFUSED, o.exitCode());
        assertEquals("ok\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void execute_refusesAnOverlongDirectiveButPassesOverlongText() {
        Outcome text = run(sh("head -c 3000000 /dev/zero | tr '\\0' x; echo; echo cargo::rustc-cfg=after"),
                refusingEvil());
        assertEquals(0, text.exitCode());
        assertEquals(3000000 + 1 + "cargo::rustc-cfg=after\n".length(), out.size());
        out.reset();
        Outcome directive = run(sh("printf cargo:rustc-env=X=; head -c 3000000 /dev/zero | tr '\\0' x; echo"),
                refusingEvil());
        assertEquals(ExitCodes.DIRECTIVE_REFUSED, directive.exitCode());
        assertEquals(0, out.size());
    }

    @Test
    void execute_writesPlanFilesForTheirOwnerOnly() throws IOException {
        Path file = dir.resolve("private/args");
        ExecutionPlan plan = sh("true").toBuilder()
                .file(new ExecutionPlan.PlanFile(file, "SECRET=1".getBytes(StandardCharsets.UTF_8))).build();
        run(plan, Supervisor.Watch.none());
        assertEquals(java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(file));
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
        assertEquals(42, run(sh("exit 42"), Supervisor.Watch.none()).exitCode());
    }

    @Test
    void execute_namesTheSignalThatKilledTheScript() {
        Outcome o = run(sh("echo before-crash >&2; kill -SEGV $$"), Supervisor.Watch.none());
        assertEquals(Optional.of("SIGSEGV"), o.signal());
        assertEquals(128 + 11, o.exitCode());
        assertEquals(List.of("before-crash"), o.stderrTail());
    }

    @Test
    void execute_timeoutKillsTheWholeTree() throws Exception {
        Path marker = dir.resolve("marker");
        var watch = new Supervisor.Watch(Optional.of(Duration.ofMillis(700)), Optional.empty(), Optional.empty(), DirectiveCheck.NONE);
        Outcome o = run(sh("(sleep 2; touch '" + marker + "') & echo started >&2; sleep 30"), watch);
        assertEquals(ExitCodes.TIMEOUT, o.exitCode());
        assertEquals(Optional.of(TimeLimit.WALL_CLOCK), o.timedOut());
        assertTrue(o.elapsed().toMillis() < 10_000, o.elapsed().toString());
        assertFalse(o.hangReport().isEmpty());
        Thread.sleep(2500);
        assertFalse(Files.exists(marker), "a child of the timed-out script survived");
    }

    @Test
    void execute_idleTimeoutFiresOnlyWithoutOutput() {
        var watch = new Supervisor.Watch(Optional.empty(), Optional.of(Duration.ofMillis(800)), Optional.empty(),
                DirectiveCheck.NONE);
        Outcome chatty = run(sh("for i in 1 2 3 4 5; do echo tick; sleep 0.3; done"), watch);
        assertEquals(0, chatty.exitCode());
        Outcome silent = run(sh("echo one; sleep 20"), watch);
        assertEquals(Optional.of(TimeLimit.IDLE), silent.timedOut());
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
