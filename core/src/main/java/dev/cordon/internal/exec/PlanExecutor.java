package dev.cordon.internal.exec;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.SandboxException;
import dev.cordon.internal.directives.DirectiveFirewall;
import dev.cordon.internal.directives.FirewallOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs an {@link ExecutionPlan} with the runner as the supervising parent.
 *
 * <p>The script's stdout is Cargo's protocol: unless something must watch it (live output, an idle
 * timeout) the child inherits the runner's own stdout, so Cargo reads the script's bytes directly; when
 * watched, the bytes are copied unchanged. stderr is always copied as it arrives, keeping the last lines
 * for reports.
 *
 * <p>{@link ProcessBuilder} closes every descriptor above 2 in the child. Descriptors the plan needs
 * (Cargo's jobserver pipes, a seccomp filter) are reopened by a one-line {@code bash} prelude:
 * inherited pipes through {@code /proc/<runner pid>/fd/N}, files by path; then the shell {@code exec}s the
 * plan's command, so the command keeps the shell's pid and the runner stays its parent.
 */
public final class PlanExecutor {
    private static final int TAIL_LINES = 20;
    /** For descriptors above 9, which POSIX sh (dash) cannot name in a redirection; Cargo's jobserver may use any. */
    private static final String BASH = "/bin/bash";

    /** Receives each line of output as it arrives, e.g. to log it live. */
    @FunctionalInterface
    public interface LineListener {
        /**
         * @param stream {@code "stdout"} or {@code "stderr"}
         * @param line the line, without its newline
         */
        void line(String stream, String line);
    }

    /**
     * What to watch while the plan runs.
     *
     * @param timeout the wall-clock limit
     * @param idleTimeout the limit on time without output
     * @param listener receives every output line, if present
     * @param firewall polices stdout before Cargo sees it, if present (issue 12 item 1; minimal wiring for the
     *     cold path, to be moved into the one supervisor)
     * @param outputLimit stops the script once stdout and stderr together pass it, if present (issue 12 item 7)
     */
    public record Watch(Optional<Duration> timeout, Optional<Duration> idleTimeout, Optional<LineListener> listener,
            Optional<DirectiveFirewall> firewall, Optional<OutputLimit> outputLimit) {
        /**
         * A watch without a directive firewall.
         *
         * @param timeout the wall-clock limit
         * @param idleTimeout the limit on time without output
         * @param listener receives every output line, if present
         */
        public Watch(Optional<Duration> timeout, Optional<Duration> idleTimeout, Optional<LineListener> listener) {
            this(timeout, idleTimeout, listener, Optional.empty(), Optional.empty());
        }

        /** {@return nothing to watch} */
        public static Watch none() {
            return new Watch(Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /**
     * The most bytes of stdout and stderr together, and what to say when a script writes more.
     *
     * @param bytes the limit
     * @param message the message for stderr
     */
    public record OutputLimit(long bytes, String message) {
    }

    private final OutputStream stdout;
    private final OutputStream stderr;

    /**
     * @param stdout where the script's stdout goes when it must be copied (Cargo's pipe)
     * @param stderr where the script's stderr goes
     */
    public PlanExecutor(OutputStream stdout, OutputStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Writes the plan's files, starts its command and waits for it.
     *
     * @param plan the plan
     * @param watch limits and listeners
     * @return how it ended
     * @throws SandboxException when the process cannot be started
     */
    public Outcome execute(ExecutionPlan plan, Watch watch) {
        materialise(plan);
        // The child writes Cargo's pipe directly when our stdout is the process's own; any other stream (a
        // runner embedded in a program or a test) gets the bytes copied.
        boolean watchStdout = watch.listener().isPresent() || watch.idleTimeout().isPresent()
                || watch.firewall().isPresent() || !isProcessStdout(stdout);
        ProcessBuilder builder = new ProcessBuilder(command(plan)).directory(plan.workingDirectory().toFile());
        builder.environment().clear();
        builder.environment().putAll(plan.environment());
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.redirectOutput(watchStdout ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.INHERIT);
        builder.redirectError(ProcessBuilder.Redirect.PIPE);
        long start = System.nanoTime();
        Process process;
        try {
            flush(stdout);
            process = builder.start();
        } catch (IOException e) {
            throw new SandboxException("cannot start " + plan.command().getFirst() + ": " + e.getMessage(),
                    ExitCodes.SANDBOX_FAILED, e);
        }
        Thread killer = new Thread(() -> killTree(process), "cordon-shutdown");
        Runtime.getRuntime().addShutdownHook(killer);
        AtomicLong lastOutput = new AtomicLong(System.nanoTime());
        OutputTail errTail = new OutputTail(TAIL_LINES);
        OutputTail outTail = new OutputTail(TAIL_LINES);
        AtomicLong written = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean overflowed = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable overflow = () -> {
            if (!overflowed.getAndSet(true)) {
                killTree(process);
            }
        };
        Thread errPump = pump(process.getErrorStream(), stderr, errTail, "stderr", watch, lastOutput, written, overflow);
        // Issue 12 item 1, minimal wiring (the lead moves it into the supervisor): stdout passes the directive
        // firewall; the first refused line stops the script, and the run fails so Cargo ignores its output.
        FirewallOutputStream policed = watch.firewall().map(f -> new FirewallOutputStream(f, stdout,
                refusal -> killTree(process))).orElse(null);
        Thread outPump = watchStdout ? pump(process.getInputStream(), policed != null ? policed : stdout, outTail,
                "stdout", watch, lastOutput, written, overflow) : null;
        Optional<String> timedOut = Optional.empty();
        List<String> hang = List.of();
        try {
            timedOut = waitFor(process, watch, start, lastOutput);
            if (timedOut.isPresent()) {
                hang = HangReport.of(process.toHandle());
                killTree(process);
                process.waitFor();
            }
            errPump.join();
            if (outPump != null) {
                outPump.join();
            }
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: it kills the tree
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        int status = process.isAlive() ? ExitCodes.INTERNAL : process.exitValue();
        int exitCode = timedOut.isPresent() ? ExitCodes.TIMEOUT : status;
        if (overflowed.get()) {
            writeQuietly(stderr, watch.outputLimit().orElseThrow().message());
            return new Outcome(ExitCodes.LIMIT_EXCEEDED, Optional.empty(), Optional.empty(), elapsed, outTail.lines(),
                    errTail.lines(), hang);
        }
        if (policed != null) {
            Optional<String> refused = endQuietly(policed);
            if (refused.isPresent()) {
                writeQuietly(stderr, refused.get());
                return new Outcome(ExitCodes.DIRECTIVE_REFUSED, Optional.empty(), Optional.empty(), elapsed,
                        outTail.lines(), errTail.lines(), hang);
            }
        }
        Optional<String> signal = timedOut.isPresent() ? Optional.of("SIGKILL") : Signals.fromExitStatus(status);
        return new Outcome(exitCode, signal, timedOut, elapsed, outTail.lines(), errTail.lines(), hang);
    }

    private static Optional<String> waitFor(Process process, Watch watch, long start, AtomicLong lastOutput)
            throws InterruptedException {
        if (watch.timeout().isEmpty() && watch.idleTimeout().isEmpty()) {
            process.waitFor();
            return Optional.empty();
        }
        while (true) {
            long now = System.nanoTime();
            long next = Long.MAX_VALUE;
            if (watch.timeout().isPresent()) {
                long left = start + watch.timeout().get().toNanos() - now;
                if (left <= 0) {
                    return Optional.of("timeout");
                }
                next = Math.min(next, left);
            }
            if (watch.idleTimeout().isPresent()) {
                long left = lastOutput.get() + watch.idleTimeout().get().toNanos() - now;
                if (left <= 0) {
                    return Optional.of("idle-timeout");
                }
                next = Math.min(next, left);
            }
            if (process.waitFor(Math.max(1, next), TimeUnit.NANOSECONDS)) {
                return Optional.empty();
            }
        }
    }

    private static Thread pump(InputStream in, OutputStream out, OutputTail tail, String stream, Watch watch,
            AtomicLong lastOutput, AtomicLong written, Runnable overflow) {
        long limit = watch.outputLimit().map(OutputLimit::bytes).orElse(Long.MAX_VALUE);
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    lastOutput.set(System.nanoTime());
                    long total = written.addAndGet(n);
                    if (total > limit) {
                        // Issue 12 item 7: stop at the limit; what is past it never reaches Cargo.
                        n = (int) Math.max(0, n - (total - limit));
                        overflow.run();
                        if (n == 0) {
                            break;
                        }
                    }
                    synchronized (out) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                    List<String> lines = tail.add(buffer, n);
                    if (watch.listener().isPresent()) {
                        for (String line : lines) {
                            watch.listener().get().line(stream, line);
                        }
                    }
                }
            } catch (IOException e) {
                // the child closed its end or Cargo closed ours: nothing more to copy
            }
            // A last line without a newline reached Cargo above; the live log must see it too.
            Optional<String> last = tail.end();
            if (last.isPresent() && watch.listener().isPresent()) {
                watch.listener().get().line(stream, last.get());
            }
        }, "cordon-" + stream);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void writeQuietly(OutputStream stream, String message) {
        synchronized (stream) {
            try {
                stream.write((message + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                stream.flush();
            } catch (IOException e) {
                // nowhere left to report to; the exit code still fails the run
            }
        }
    }

    private static Optional<String> endQuietly(FirewallOutputStream policed) {
        try {
            return policed.end();
        } catch (IOException e) {
            return policed.refusal();
        }
    }

    private static void killTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>();
        process.toHandle().descendants().forEach(tree::add);
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    private static boolean isProcessStdout(OutputStream out) {
        try {
            return out instanceof java.io.FileOutputStream file && file.getFD() == java.io.FileDescriptor.out;
        } catch (IOException e) {
            return false;
        }
    }

    private static void flush(OutputStream out) throws IOException {
        synchronized (out) {
            out.flush();
        }
    }

    private static void materialise(ExecutionPlan plan) {
        for (ExecutionPlan.PlanFile file : plan.files()) {
            try {
                Files.createDirectories(file.path().toAbsolutePath().getParent());
                // A FileOutputStream (create or truncate, like Files.write): NIO file channels would load
                // libnet and their own classes on the cold path for this one small file.
                try (FileOutputStream out = new FileOutputStream(file.path().toFile())) {
                    out.write(file.content());
                }
            } catch (IOException e) {
                throw new SandboxException("cannot write " + file.path() + " for the sandbox: " + e.getMessage(),
                        ExitCodes.SANDBOX_FAILED, e);
            }
        }
    }

    /** The command to start: the plan's own, behind a descriptor prelude when it needs descriptors. */
    static List<String> command(ExecutionPlan plan) {
        StringBuilder prelude = new StringBuilder();
        long self = ProcessHandle.current().pid();
        for (ExecutionPlan.Descriptor d : plan.descriptors()) {
            // An if chain, not a pattern switch: a type switch spins a class at run time (the class-file API,
            // several milliseconds on a cold JVM), and this runs once per build script.
            if (d.source() instanceof ExecutionPlan.Inherited i) {
                // A descriptor the runner does not hold (run outside Cargo) is simply not passed on.
                if (Files.exists(Path.of("/proc/self/fd/" + i.runnerNumber()))) {
                    prelude.append("exec ").append(d.number()).append("<>/proc/").append(self).append("/fd/")
                            .append(i.runnerNumber()).append("; ");
                }
            } else if (d.source() instanceof ExecutionPlan.ReadFile r) {
                prelude.append("exec ").append(d.number()).append("<").append(shellQuote(r.file().toString()))
                        .append("; ");
            } else {
                throw new IllegalStateException("unknown descriptor source " + d.source());
            }
        }
        if (prelude.isEmpty()) {
            return plan.command();
        }
        // /bin/sh starts in about a millisecond, bash in several: use bash only when it is needed.
        boolean oneDigit = true;
        for (ExecutionPlan.Descriptor d : plan.descriptors()) {
            oneDigit &= d.number() <= 9 && (!(d.source() instanceof ExecutionPlan.Inherited i) || i.runnerNumber() <= 9);
        }
        String shell = oneDigit || !Files.isExecutable(Path.of(BASH)) ? "/bin/sh" : BASH;
        List<String> command = new ArrayList<>(List.of(shell, "-c", prelude + "exec \"$@\"", "cordon-launch"));
        command.addAll(plan.command());
        return command;
    }

    private static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
