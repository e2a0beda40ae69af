package dev.cordon.internal.exec;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.SandboxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts a plan as a child of this JVM: the cold path and a team's own runner {@code main}.
 *
 * <p>{@link ProcessBuilder} closes every descriptor above 2 in the child. Descriptors the plan needs
 * (Cargo's jobserver pipes, files the backend reads) are reopened by a one-line shell prelude: inherited
 * pipes through {@code /proc/<runner pid>/fd/N}, files by path. The same prelude carries out the
 * {@link ChildSetup} (joins the run's cgroups, sets the open-files limit; any failure exits 71 before the
 * command starts); then the shell {@code exec}s the plan's command, so the command keeps the shell's pid
 * and the runner stays its parent.
 */
public final class LocalSpawner implements Spawner {
    /** For descriptors above 9, which POSIX sh (dash) cannot name in a redirection; Cargo's jobserver may use any. */
    private static final String BASH = "/bin/bash";

    @Override
    public Child start(ExecutionPlan plan, ChildSetup setup) {
        ProcessBuilder builder = new ProcessBuilder(command(plan, setup)).directory(plan.workingDirectory().toFile());
        builder.environment().clear();
        builder.environment().putAll(plan.environment());
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
        builder.redirectError(ProcessBuilder.Redirect.PIPE);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new SandboxException("cannot start " + plan.command().getFirst() + ": " + e.getMessage(),
                    ExitCodes.SANDBOX_FAILED, e);
        }
        return new LocalChild(process);
    }

    private record LocalChild(Process process0) implements Child {
        @Override
        public InputStream stdout() {
            return process0.getInputStream();
        }

        @Override
        public InputStream stderr() {
            return process0.getErrorStream();
        }

        @Override
        public Optional<ProcessHandle> process() {
            return Optional.of(process0.toHandle());
        }

        @Override
        public Optional<Integer> waitFor(long nanos) throws InterruptedException {
            if (nanos == Long.MAX_VALUE) {
                return Optional.of(process0.waitFor());
            }
            return process0.waitFor(nanos, TimeUnit.NANOSECONDS) ? Optional.of(process0.exitValue()) : Optional.empty();
        }

        @Override
        public void kill() {
            List<ProcessHandle> tree = new ArrayList<>();
            process0.toHandle().descendants().forEach(tree::add);
            process0.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The command to start: the plan's own, behind a prelude when it needs descriptors or a setup. */
    static List<String> command(ExecutionPlan plan, ChildSetup setup) {
        StringBuilder prelude = new StringBuilder();
        for (Path procs : setup.cgroupProcs()) {
            prelude.append("echo $$ > ").append(shellQuote(procs.toString())).append(" || exit ")
                    .append(ExitCodes.SANDBOX_FAILED).append("; ");
        }
        if (setup.openFiles().isPresent()) {
            // Without -H or -S, ulimit sets both limits, in dash as in bash.
            prelude.append("ulimit -n ").append(setup.openFiles().getAsLong()).append(" || exit ")
                    .append(ExitCodes.SANDBOX_FAILED).append("; ");
        }
        long self = ProcessHandle.current().pid();
        for (ExecutionPlan.Descriptor d : plan.descriptors()) {
            // An if chain, not a pattern switch: a type switch spins a class at run time (see docs/performance.md).
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
                // ConnectedSocket: a shell cannot connect one (connectsUnixSockets() is false, so no plan asks)
                throw new IllegalStateException("this launch path cannot pass " + d.source());
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
