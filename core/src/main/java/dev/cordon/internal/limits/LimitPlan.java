package dev.cordon.internal.limits;

import dev.cordon.ExecutionPlan;
import dev.cordon.ResourceLimits;
import dev.cordon.internal.exec.ChildSetup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The resource limits of one run: the command prefixes that put the script under them, and, after the run,
 * which limit stopped it. Close it after the run (and after its processes ended): that kills whatever is
 * left in the run's cgroup and removes it.
 */
public final class LimitPlan implements AutoCloseable {
    private final String mechanism;
    private final List<Path> groups;
    private final boolean owned;
    private final List<String> inner;
    private final OptionalLong openFiles;
    private final ResourceLimits limits;

    LimitPlan(String mechanism, List<Path> groups, boolean owned, List<String> inner, OptionalLong openFiles,
            ResourceLimits limits) {
        this.mechanism = mechanism;
        this.groups = List.copyOf(groups);
        this.owned = owned;
        this.inner = List.copyOf(inner);
        this.openFiles = openFiles;
        this.limits = limits;
    }

    /** {@return {@code "cgroup v2"}, {@code "cgroup v1"} or {@code "rlimits"}} */
    public String mechanism() {
        return mechanism;
    }

    /**
     * {@return what the child does between fork and exec: join the run's cgroups (so the sandbox and everything
     * it starts are counted from the first instruction) and set the open-files limit}
     */
    public ChildSetup childSetup() {
        List<Path> procs = new ArrayList<>();
        for (Path g : groups) {
            if (owned) { // reserved groups: the starting process is in them already, and its child is born there
                procs.add(g.resolve("cgroup.procs"));
            }
        }
        return new ChildSetup(procs, openFiles);
    }

    /**
     * {@return the words to put right in front of the build script inside the sandbox (after the sandbox
     * created its user namespace): {@code prlimit} with the rlimits; empty when there are none}
     */
    public List<String> innerPrefix() {
        return inner;
    }

    /**
     * Applies the inner prefix to a plan whose command ends with the script's own command (as Bubblewrap's
     * does: {@code bwrap ... -- <script>}): it goes right before that tail. A plan whose command does not end
     * with it gets the inner prefix in front of its whole command. The cgroups and the open-files limit are
     * not in the command: they are the {@link #childSetup}.
     *
     * @param plan the backend's plan
     * @param scriptCommand the build script's command ({@code RunnerInvocation.command()})
     * @return the plan under the limits
     */
    public ExecutionPlan apply(ExecutionPlan plan, List<String> scriptCommand) {
        List<String> command = new ArrayList<>(plan.command());
        int tail = command.size() - scriptCommand.size();
        boolean endsWithScript = tail >= 0 && command.subList(tail, command.size()).equals(scriptCommand);
        command.addAll(endsWithScript ? tail : 0, inner);
        return new ExecutionPlan(plan.backendId(), command, plan.environment(), plan.workingDirectory(),
                plan.descriptors(), plan.files(), plan.notes(), plan.handover());
    }

    /**
     * Tells, after the run, whether a cgroup limit stopped the script.
     *
     * @param crate the crate, for the message
     * @return the message naming the limit and the TOML that raises it; empty when no limit was hit or
     *     rlimits (which leave no trace) enforced them
     */
    public Optional<String> exceeded(String crate) {
        for (Path g : groups) {
            if (limits.memoryBytes().isPresent() && (count(g.resolve("memory.events"), "oom_kill") > 0
                    || count(g.resolve("memory.oom_control"), "oom_kill") > 0)) {
                return Optional.of(LimitMessages.memoryExceeded(crate, limits.memoryBytes().getAsLong()));
            }
        }
        for (Path g : groups) {
            if (limits.processes().isPresent() && count(g.resolve("pids.events"), "max") > 0) {
                return Optional.of(LimitMessages.processesExceeded(crate, limits.processes().getAsLong()));
            }
        }
        return Optional.empty();
    }

    /**
     * The count after {@code key} in a cgroup's flat-keyed file ({@code key value} lines), 0 when the file or
     * the key is absent. Runs after every run: a file this cgroup version or controller lacks is skipped with a
     * stat, not an exception, and lines are split by hand, without a regular expression.
     */
    private static long count(Path file, String key) {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        try {
            for (String line : Files.readString(file, StandardCharsets.US_ASCII).split("\n")) {
                int space = line.indexOf(' ');
                if (space > 0 && line.substring(0, space).equals(key)) {
                    return Long.parseLong(line.substring(space + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /**
     * Kills what is left in the run's cgroup and removes it; reserved cgroups ({@link LimitEnforcement#reserve})
     * are left to whoever reserved them, since they still hold the process that started the run.
     */
    @Override
    public void close() {
        if (owned) {
            remove(groups);
        }
    }

    /**
     * Kills what is left in cgroups and removes them.
     *
     * @param groups the cgroup directories
     */
    public static void remove(List<Path> groups) {
        for (Path g : groups) {
            try {
                if (Files.exists(g.resolve("cgroup.kill"))) {
                    Files.writeString(g.resolve("cgroup.kill"), "1");
                }
            } catch (IOException e) {
                // fall back to killing task by task below
            }
            for (int attempt = 0; attempt < 50; attempt++) {
                List<String> pids = readLines(g.resolve("cgroup.procs"));
                if (pids.isEmpty()) {
                    break;
                }
                for (String pid : pids) {
                    Optional<ProcessHandle> task = ProcessHandle.of(Long.parseLong(pid.trim()));
                    if (task.isPresent()) {
                        task.get().destroyForcibly();
                    }
                }
                sleep();
            }
            for (int attempt = 0; attempt < 50; attempt++) {
                try {
                    Files.deleteIfExists(g);
                    break;
                } catch (IOException e) {
                    sleep(); // the last tasks are still exiting
                }
            }
        }
    }

    private static List<String> readLines(Path file) {
        try {
            // A loop, not a stream: no lambda on the cold path (docs/performance.md).
            List<String> lines = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
            return lines;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
