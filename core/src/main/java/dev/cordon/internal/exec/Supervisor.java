package dev.cordon.internal.exec;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.SandboxException;
import dev.cordon.TimeLimit;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs an {@link ExecutionPlan} and watches it to the end: the one supervisor every launch path uses
 * (a JVM per build script, the plan daemon answering the thin client, a team's own runner {@code main}).
 * Only the start differs ({@link Spawner}); everything after it is here, in memory-safe code, because the
 * script's output is untrusted input:
 *
 * <ul>
 *   <li>stdout is Cargo's protocol: it is read line by line, each line is put to the {@link DirectiveCheck}
 *       and passed on byte for byte when allowed; a refused line kills the script, and nothing after it
 *       reaches Cargo;
 *   <li>stderr is copied as it arrives, keeping the last lines for failure reports;
 *   <li>the wall-clock and idle limits kill the whole tree, after a hang report is taken;
 *   <li>every line goes to the live-log listener, if any.
 * </ul>
 */
public final class Supervisor {
    private static final int TAIL_LINES = 20;
    private static final long PUMP_GRACE_MILLIS = 1000;
    /** A longer stdout line is passed on in pieces, and only when it cannot be a directive. */
    static final int MAX_LINE = 1 << 20;

    /** Receives each line of output as it arrives, e.g. to log it live. */
    @FunctionalInterface
    public interface LineListener {
        /**
         * @param stream {@code "stdout"} or {@code "stderr"}
         * @param line the line, without its newline
         */
        void line(String stream, String line);
    }

    /** Rewrites whole stderr lines on their way out, e.g. rustc's notices of the outputs it wrote. */
    @FunctionalInterface
    public interface LineRewrite {
        /**
         * @param line the line's bytes, without its newline, from index 0
         * @param length how many bytes of {@code line} are the line
         * @return the line to write instead (without newline), or empty to write it as it is
         */
        Optional<byte[]> rewrite(byte[] line, int length);
    }

    /**
     * What to watch while the plan runs.
     *
     * @param timeout the wall-clock limit
     * @param idleTimeout the limit on time without output
     * @param listener receives every output line, if present
     * @param directives decides on every stdout line
     * @param outputLimit the most bytes of stdout and stderr together, if limited
     * @param stderrLines rewrites stderr lines, if present: stderr is then passed on line by line (a line longer
     *     than {@value #MAX_LINE} bytes, and a last line without newline, pass as they are)
     */
    public record Watch(Optional<Duration> timeout, Optional<Duration> idleTimeout, Optional<LineListener> listener,
            DirectiveCheck directives, Optional<OutputLimit> outputLimit, Optional<LineRewrite> stderrLines) {
        /**
         * A watch that passes stderr as it arrives.
         *
         * @param timeout the wall-clock limit
         * @param idleTimeout the limit on time without output
         * @param listener receives every output line, if present
         * @param directives decides on every stdout line
         * @param outputLimit the most bytes of stdout and stderr together, if limited
         */
        public Watch(Optional<Duration> timeout, Optional<Duration> idleTimeout, Optional<LineListener> listener,
                DirectiveCheck directives, Optional<OutputLimit> outputLimit) {
            this(timeout, idleTimeout, listener, directives, outputLimit, Optional.empty());
        }

        /**
         * A watch without an output limit.
         *
         * @param timeout the wall-clock limit
         * @param idleTimeout the limit on time without output
         * @param listener receives every output line, if present
         * @param directives decides on every stdout line
         */
        public Watch(Optional<Duration> timeout, Optional<Duration> idleTimeout, Optional<LineListener> listener,
                DirectiveCheck directives) {
            this(timeout, idleTimeout, listener, directives, Optional.empty(), Optional.empty());
        }

        /** {@return nothing to watch, every line passed} */
        public static Watch none() {
            return new Watch(Optional.empty(), Optional.empty(), Optional.empty(), DirectiveCheck.NONE);
        }
    }

    /**
     * The most bytes of stdout and stderr together, and what to say when a script writes more.
     *
     * @param bytes the limit
     * @param message makes the whole message for stderr, only when a script writes more (it names the crate's
     *     policy table, which costs loading the policy reader's key list)
     */
    public record OutputLimit(long bytes, java.util.function.Supplier<String> message) {
    }

    /** Why the supervisor stopped a run itself, and the exit code that says so. */
    private record Stop(int exitCode, String message) {
    }

    private final Spawner spawner;
    private final OutputStream stdout;
    private final OutputStream stderr;

    /**
     * @param spawner starts the plan's command
     * @param stdout Cargo's stdout, where allowed lines go
     * @param stderr where the script's stderr goes
     */
    public Supervisor(Spawner spawner, OutputStream stdout, OutputStream stderr) {
        this.spawner = spawner;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Writes the plan's files, starts its command and watches it to the end.
     *
     * @param plan the plan
     * @param watch limits, listener and directive check
     * @return how it ended
     * @throws SandboxException when the plan cannot be started
     */
    public Outcome execute(ExecutionPlan plan, Watch watch) {
        return execute(plan, ChildSetup.NONE, watch);
    }

    /**
     * Writes the plan's files, starts its command after the child's setup and watches it to the end.
     *
     * @param plan the plan
     * @param setup what the child does before its command starts (the run's cgroups and open-files limit)
     * @param watch limits, listener and directive check
     * @return how it ended
     * @throws SandboxException when the plan cannot be started
     */
    public Outcome execute(ExecutionPlan plan, ChildSetup setup, Watch watch) {
        PlanFiles.write(plan);
        // A root runner's sandbox runs as an unprivileged user: the writable paths are handed over for the run.
        Handover.Receipt handover = Handover.over(plan.handover());
        long start = System.nanoTime();
        flush(stdout);
        Child child;
        try {
            child = spawner.start(plan, setup);
        } catch (RuntimeException e) {
            handover.back();
            throw e;
        }
        Thread killer = new Thread(child::kill, "cordon-shutdown");
        Runtime.getRuntime().addShutdownHook(killer);
        AtomicLong lastOutput = new AtomicLong(System.nanoTime());
        AtomicReference<Stop> refused = new AtomicReference<>();
        AtomicLong written = new AtomicLong();
        OutputTail errTail = new OutputTail(TAIL_LINES);
        OutputTail outTail = new OutputTail(TAIL_LINES);
        Thread errPump = start("stderr", () -> copy(child, errTail, watch, lastOutput, written, refused));
        Thread outPump = start("stdout", () -> gate(child, outTail, watch, lastOutput, written, refused));
        Optional<TimeLimit> timedOut = Optional.empty();
        List<String> hang = List.of();
        int status = ExitCodes.INTERNAL;
        try {
            Watched watched = waitFor(child, watch, start, lastOutput, refused);
            timedOut = watched.timedOut();
            if (timedOut.isPresent()) {
                hang = child.process().map(HangReport::of).orElse(List.of());
                child.kill();
            }
            status = watched.status().isPresent() ? watched.status().get()
                    : child.waitFor(Long.MAX_VALUE).orElse(ExitCodes.INTERNAL);
            if (timedOut.isPresent() || refused.get() != null) {
                // Killed: a process that escaped the kill (forked while it ran) may hold the pipes; don't wait for it.
                errPump.join(PUMP_GRACE_MILLIS);
                outPump.join(PUMP_GRACE_MILLIS);
            } else {
                errPump.join();
                outPump.join();
            }
        } catch (InterruptedException e) {
            child.kill();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: it kills the tree
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        // The sandbox has ended (bwrap's PID namespace dies with it): nothing can change the paths any more.
        warn(handover.back());
        if (refused.get() == null && timedOut.isEmpty() && status == 0) {
            // Cargo acts on the lines only after a successful run: what they named is checked now, once nothing
            // of the script can change it any more.
            watch.directives().refusalAtEnd().ifPresent(why -> refused.set(new Stop(ExitCodes.DIRECTIVE_REFUSED, why)));
        }
        Optional<Stop> stop = Optional.ofNullable(refused.get());
        Optional<String> refusal = stop.map(Stop::message);
        int exitCode = stop.isPresent() ? stop.get().exitCode()
                : timedOut.isPresent() ? ExitCodes.TIMEOUT : status;
        Optional<String> signal = refusal.isPresent() ? Optional.empty()
                : timedOut.isPresent() ? Optional.of("SIGKILL") : Signals.fromExitStatus(status);
        return new Outcome(exitCode, signal, timedOut, elapsed, outTail.lines(), errTail.lines(), hang, refusal);
    }

    private record Watched(Optional<Integer> status, Optional<TimeLimit> timedOut) {
    }

    private static Watched waitFor(Child child, Watch watch, long start, AtomicLong lastOutput,
            AtomicReference<Stop> refused) throws InterruptedException {
        // A refused directive ends the wait at once (the stdout pump killed the child), so poll at least
        // every 50 ms when nothing else bounds the wait.
        while (true) {
            long now = System.nanoTime();
            long next = 50_000_000L;
            if (watch.timeout().isPresent()) {
                long left = start + watch.timeout().get().toNanos() - now;
                if (left <= 0) {
                    return new Watched(Optional.empty(), Optional.of(TimeLimit.WALL_CLOCK));
                }
                next = Math.min(next, left);
            }
            if (watch.idleTimeout().isPresent()) {
                long left = lastOutput.get() + watch.idleTimeout().get().toNanos() - now;
                if (left <= 0) {
                    return new Watched(Optional.empty(), Optional.of(TimeLimit.IDLE));
                }
                next = Math.min(next, left);
            }
            Optional<Integer> status = child.waitFor(Math.max(1, next));
            if (status.isPresent()) {
                return new Watched(status, Optional.empty());
            }
            if (refused.get() != null) {
                child.kill();
            }
        }
    }

    /** Tells Cargo (and so the user) what the handover found, as {@code cargo::warning} lines. */
    private void warn(List<String> warnings) {
        StringBuilder lines = new StringBuilder();
        for (String warning : warnings) {
            lines.append("cargo::warning=cordon: ").append(warning.replace('\n', ' ')).append('\n');
        }
        byte[] bytes = lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        write(stdout, bytes, 0, bytes.length);
    }

    private static Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, "cordon-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** stderr: copied as it arrives, up to the output limit. */
    private void copy(Child child, OutputTail tail, Watch watch, AtomicLong lastOutput, AtomicLong written,
            AtomicReference<Stop> refused) {
        byte[] buffer = new byte[8192];
        RewrittenLines lines = watch.stderrLines().map(r -> new RewrittenLines(stderr, r)).orElse(null);
        try (InputStream in = child.stderr()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                lastOutput.set(System.nanoTime());
                n = withinLimit(child, n, watch, written, refused);
                if (n == 0) {
                    continue;
                }
                if (lines != null) {
                    lines.pass(buffer, n);
                } else {
                    write(stderr, buffer, 0, n);
                }
                tell(watch, "stderr", tail.add(buffer, n));
            }
        } catch (IOException e) {
            // the child closed its end or Cargo closed ours: nothing more to copy
        }
        if (lines != null) {
            lines.end();
        }
        tell(watch, "stderr", tail.end().map(List::of).orElse(List.of()));
    }

    /** stdout: line by line through the directive check; after a refusal, read and dropped. */
    private void gate(Child child, OutputTail tail, Watch watch, AtomicLong lastOutput, AtomicLong written,
            AtomicReference<Stop> refused) {
        byte[] buffer = new byte[8192];
        byte[] line = new byte[256];
        int length = 0;
        boolean passing = false; // inside an over-long line already passed on in pieces
        try (InputStream in = child.stdout()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                lastOutput.set(System.nanoTime());
                if (refused.get() != null) {
                    continue;
                }
                n = withinLimit(child, n, watch, written, refused);
                if (n == 0) {
                    continue;
                }
                tell(watch, "stdout", tail.add(buffer, n));
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != '\n') {
                        continue;
                    }
                    int piece = i - from;
                    if (passing) {
                        write(stdout, buffer, from, piece + 1);
                        passing = false;
                    } else {
                        line = append(line, length, buffer, from, piece);
                        length += piece;
                        if (!decide(child, line, length, true, watch, refused)) {
                            return;
                        }
                    }
                    length = 0;
                    from = i + 1;
                }
                int rest = n - from;
                if (passing) {
                    write(stdout, buffer, from, rest);
                } else if (length + rest > MAX_LINE) {
                    line = append(line, length, buffer, from, rest);
                    length += rest;
                    Optional<String> refusal = watch.directives().refusalOfLongLine(line, length);
                    if (refusal.isPresent()) {
                        refuse(child, refused, refusal.get());
                        return;
                    }
                    write(stdout, line, 0, length);
                    length = 0;
                    passing = true;
                } else {
                    line = append(line, length, buffer, from, rest);
                    length += rest;
                }
            }
            if (length > 0 && refused.get() == null) {
                decide(child, line, length, false, watch, refused);
            }
        } catch (IOException e) {
            // the child closed its end or Cargo closed ours: nothing more to copy
        } finally {
            tell(watch, "stdout", tail.end().map(List::of).orElse(List.of()));
        }
    }

    private boolean decide(Child child, byte[] line, int length, boolean newline, Watch watch,
            AtomicReference<Stop> refused) {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        Optional<String> refusal = watch.directives().refusal(line, end);
        if (refusal.isPresent()) {
            refuse(child, refused, refusal.get());
            return false;
        }
        synchronized (stdout) {
            try {
                stdout.write(line, 0, length);
                if (newline) {
                    stdout.write('\n');
                }
                stdout.flush();
            } catch (IOException e) {
                // Cargo went away; the script will get EPIPE-like silence, as with a direct pipe
            }
        }
        return true;
    }

    private static void refuse(Child child, AtomicReference<Stop> refused, String why) {
        refused.compareAndSet(null, new Stop(ExitCodes.DIRECTIVE_REFUSED, why));
        child.kill();
    }

    /** {@return how many of {@code n} new bytes are within the output limit}; past it, the run is stopped. */
    private static int withinLimit(Child child, int n, Watch watch, AtomicLong written, AtomicReference<Stop> refused) {
        if (watch.outputLimit().isEmpty()) {
            return n;
        }
        OutputLimit limit = watch.outputLimit().get();
        long total = written.addAndGet(n);
        if (total <= limit.bytes()) {
            return n;
        }
        refused.compareAndSet(null, new Stop(ExitCodes.LIMIT_EXCEEDED, limit.message().get()));
        child.kill();
        return (int) Math.max(0, n - (total - limit.bytes()));
    }

    /** Whether a line could be read by Cargo as a directive: {@code cargo:} after optional blanks. */
    static boolean mayBeDirective(byte[] line, int length) {
        int i = 0;
        while (i < length && (line[i] == ' ' || line[i] == '\t')) {
            i++;
        }
        byte[] prefix = {'c', 'a', 'r', 'g', 'o', ':'};
        if (length - i < prefix.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (line[i + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    static byte[] append(byte[] line, int length, byte[] from, int offset, int count) {
        byte[] target = line;
        if (length + count > line.length) {
            target = Arrays.copyOf(line, Math.max(length + count, line.length * 2));
        }
        System.arraycopy(from, offset, target, length, count);
        return target;
    }

    private static void tell(Watch watch, String stream, List<String> lines) {
        if (watch.listener().isPresent()) {
            for (String line : lines) {
                watch.listener().get().line(stream, line);
            }
        }
    }

    static void write(OutputStream out, byte[] bytes, int offset, int length) {
        synchronized (out) {
            try {
                out.write(bytes, offset, length);
                out.flush();
            } catch (IOException e) {
                // the reader went away: nothing more to copy
            }
        }
    }

    private static void flush(OutputStream out) {
        synchronized (out) {
            try {
                out.flush();
            } catch (IOException e) {
                // nothing was pending that the reader still wants
            }
        }
    }
}
