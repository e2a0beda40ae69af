package dev.cordon.internal.limits;

import dev.cordon.ExitCodes;
import dev.cordon.ResourceLimits;
import dev.cordon.SandboxException;
import dev.cordon.internal.policy.model.Sizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How this machine enforces a grant's {@link ResourceLimits} (issue 12, item 7), and the plan for one run.
 *
 * <ul>
 *   <li>Processes and memory: a fresh cgroup per run where this process may create one (cgroup v2 with
 *       {@code pids} and {@code memory} delegated to its own cgroup, else the cgroup v1 {@code pids} and
 *       {@code memory} hierarchies when writable, as for root in many containers). The process that
 *       starts the run joins it between fork and exec ({@link LimitPlan#childSetup}), so the sandbox and every
 *       process of the script count; on the warm path the plan daemon makes the cgroups when the call arrives
 *       and moves its client into them while the run is decided ({@link #reserve}), so the client's child is
 *       born in them and the join's RCU grace period is hidden by planning.</li>
 *   <li>Otherwise rlimits, set inside the sandbox right before the script ({@link LimitPlan#innerPrefix}):
 *       {@code RLIMIT_NPROC} counts the tasks of one user in one user namespace, so set after the sandbox
 *       made its own user namespace it counts only the script's tasks; it is not enforced at all for
 *       processes of the host's root (the kernel exempts uid 0). {@code RLIMIT_DATA} caps each process's
 *       heap and private writable mappings, not the sum.</li>
 *   <li>Open files: always {@code RLIMIT_NOFILE} per process, at most the runner's own hard limit, set
 *       between fork and exec like the cgroups ({@link LimitPlan#childSetup}).</li>
 *   <li>Output: the supervisor counts stdout and stderr ({@link LimitMessages#outputExceeded}).</li>
 * </ul>
 */
public final class LimitEnforcement {
    private static final AtomicLong RUNS = new AtomicLong();
    private static volatile LimitEnforcement probed;
    private final Cgroups cgroups;
    private final Optional<Path> prlimit;
    private final boolean root;
    private final long openFilesHardLimit;

    LimitEnforcement(Cgroups cgroups, Optional<Path> prlimit, boolean root, long openFilesHardLimit) {
        this.cgroups = cgroups;
        this.prlimit = prlimit;
        this.root = root;
        this.openFilesHardLimit = openFilesHardLimit;
    }

    /**
     * {@return what this machine offers, probed once per process: a process's cgroups, its user and its hard
     * limit do not change while it runs (a plan daemon serves many runs; each probe reads four files)}
     */
    public static LimitEnforcement probed() {
        LimitEnforcement known = probed;
        if (known == null) {
            known = probe();
            probed = known;
        }
        return known;
    }

    /** {@return what this machine offers, read from /proc} */
    public static LimitEnforcement probe() {
        Path proc = Path.of("/proc");
        Optional<Path> prlimit = List.of("/usr/bin/prlimit", "/bin/prlimit").stream().map(Path::of)
                .filter(Files::isExecutable).findFirst();
        boolean root = "root".equals(System.getProperty("user.name")) || uid(proc) == 0;
        return new LimitEnforcement(Cgroups.probe(proc), prlimit, root, hardOpenFiles(proc));
    }

    /** {@return the mechanism for processes and memory: {@code "cgroup v2"}, {@code "cgroup v1"} or {@code "rlimits"}} */
    public String mechanism() {
        if (cgroups.v2().isPresent()) {
            return "cgroup v2";
        }
        if (cgroups.v1Pids().isPresent() && cgroups.v1Memory().isPresent()) {
            return "cgroup v1";
        }
        return "rlimits";
    }

    /**
     * Says, limit by limit, whether and how this machine enforces the limits (for {@code explain}).
     *
     * @param limits the grant's limits
     * @return one line per limit
     */
    public List<String> describe(ResourceLimits limits) {
        List<String> lines = new ArrayList<>();
        String m = mechanism();
        boolean cgroup = !m.equals("rlimits");
        lines.add("processes: " + value(limits.processes(), false) + enforcement(limits.processes(), cgroup
                ? "enforced by " + m + " pids.max for the script and all its processes"
                : root ? "NOT enforced: the runner runs as root (the kernel exempts root from RLIMIT_NPROC) and "
                        + cgroups.why()
                        : prlimit.isPresent() ? "enforced by RLIMIT_NPROC inside the sandbox's user namespace ("
                                + cgroups.why() + ")" : "NOT enforced: no prlimit program and " + cgroups.why()));
        lines.add("memory: " + value(limits.memoryBytes(), true) + enforcement(limits.memoryBytes(), cgroup
                ? "enforced by " + m + " for the script and all its processes together"
                : prlimit.isPresent() ? "enforced per process by RLIMIT_DATA (" + cgroups.why() + ")"
                        : "NOT enforced: no prlimit program and " + cgroups.why()));
        lines.add("open files: " + value(openFiles(limits.openFiles()), false) + enforcement(limits.openFiles(),
                "enforced per process by RLIMIT_NOFILE"));
        lines.add("output: " + value(limits.outputBytes(), true) + enforcement(limits.outputBytes(),
                "counted by the supervisor (stdout and stderr)"));
        return lines;
    }

    private static String enforcement(OptionalLong value, String how) {
        return value.isEmpty() ? "" : " (" + how + ")";
    }

    private static String value(OptionalLong v, boolean size) {
        return v.isEmpty() ? "unlimited" : size ? Sizes.format(v.getAsLong()) : Long.toString(v.getAsLong());
    }

    private OptionalLong openFiles(OptionalLong wanted) {
        if (wanted.isEmpty()) {
            return root ? OptionalLong.empty() : OptionalLong.of(openFilesHardLimit);
        }
        return OptionalLong.of(root ? wanted.getAsLong() : Math.min(wanted.getAsLong(), openFilesHardLimit));
    }

    /**
     * Prepares one run: creates its cgroup (when cgroups are used) and the command prefixes.
     *
     * @param limits the grant's limits
     * @return the run's plan; close it after the run to remove the cgroup and kill what is left in it
     * @throws SandboxException when a cgroup that should work cannot be created
     */
    public LimitPlan plan(ResourceLimits limits) {
        return plan(limits, List.of());
    }

    /**
     * Creates a run's cgroups ahead of its plan, so that the process that will start the plan can join them
     * while the run is still being decided ({@link #plan(ResourceLimits, List)}). Joining a cgroup v1 waits for
     * an RCU grace period (several milliseconds here); done by the plan daemon for its client during
     * planning, it costs the build script nothing.
     *
     * @return the run's cgroup directories, in the order {@link #plan(ResourceLimits, List)} expects; empty
     *     when this machine limits with rlimits
     * @throws SandboxException when a cgroup that should work cannot be created
     */
    public List<Path> reserve() {
        String name = "cordon-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet();
        List<Path> groups = new ArrayList<>();
        String m = mechanism();
        try {
            if (m.equals("cgroup v2")) {
                groups.add(Files.createDirectory(cgroups.v2().orElseThrow().resolve(name)));
            } else if (m.equals("cgroup v1")) {
                groups.add(Files.createDirectory(cgroups.v1Pids().orElseThrow().resolve(name)));
                groups.add(Files.createDirectory(cgroups.v1Memory().orElseThrow().resolve(name)));
            }
        } catch (IOException | RuntimeException e) {
            LimitPlan.remove(groups);
            throw new SandboxException("cannot create the cgroup that limits the build script (" + m + "): "
                    + e.getMessage(), ExitCodes.SANDBOX_FAILED, e);
        }
        return groups;
    }

    /**
     * {@link #plan(ResourceLimits)} in cgroups made by {@link #reserve} that the starting process has joined
     * already: its child is born in them, so the plan's {@link LimitPlan#childSetup} joins none, and closing
     * the plan leaves them to whoever reserved them (they hold that process until it ends).
     *
     * @param limits the grant's limits
     * @param joined the reserved cgroups, or empty to create the run's own
     * @return the run's plan
     */
    public LimitPlan plan(ResourceLimits limits, List<Path> joined) {
        String m = mechanism();
        int expected = m.equals("cgroup v2") ? 1 : m.equals("cgroup v1") ? 2 : 0;
        boolean reserved = !joined.isEmpty() && joined.size() == expected;
        List<Path> groups = new ArrayList<>(reserved ? joined : List.of());
        String name = "cordon-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet();
        try {
            if (m.equals("cgroup v2")) {
                Path dir = reserved ? groups.getFirst() : Files.createDirectory(cgroups.v2().orElseThrow().resolve(name));
                if (!reserved) {
                    groups.add(dir);
                }
                limits.processes().ifPresent(n -> write(dir.resolve("pids.max"), Long.toString(n)));
                limits.memoryBytes().ifPresent(n -> {
                    write(dir.resolve("memory.max"), Long.toString(n));
                    write(dir.resolve("memory.swap.max"), "0");
                });
            } else if (m.equals("cgroup v1")) {
                Path pids = reserved ? groups.get(0) : Files.createDirectory(cgroups.v1Pids().orElseThrow().resolve(name));
                if (!reserved) {
                    groups.add(pids);
                }
                Path memory = reserved ? groups.get(1)
                        : Files.createDirectory(cgroups.v1Memory().orElseThrow().resolve(name));
                if (!reserved) {
                    groups.add(memory);
                }
                limits.processes().ifPresent(n -> write(pids.resolve("pids.max"), Long.toString(n)));
                limits.memoryBytes().ifPresent(n -> {
                    write(memory.resolve("memory.limit_in_bytes"), Long.toString(n));
                    if (Files.exists(memory.resolve("memory.memsw.limit_in_bytes"))) {
                        write(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(n));
                    }
                });
            }
        } catch (IOException | RuntimeException e) {
            if (!reserved) {
                LimitPlan.remove(groups);
            }
            throw new SandboxException("cannot create the cgroup that limits the build script (" + m + "): "
                    + e.getMessage(), ExitCodes.SANDBOX_FAILED, e);
        }
        List<String> inner = new ArrayList<>();
        if (prlimit.isPresent() && groups.isEmpty()
                && (limits.processes().isPresent() || limits.memoryBytes().isPresent())) {
            inner.add(prlimit.get().toString());
            limits.processes().ifPresent(n -> inner.add("--nproc=" + n));
            limits.memoryBytes().ifPresent(n -> inner.add("--data=" + n));
            inner.add("--");
        }
        return new LimitPlan(m, groups, !reserved, inner, openFiles(limits.openFiles()), limits);
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + value + " to " + file + ": " + e.getMessage(), e);
        }
    }

    private static long uid(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long hardOpenFiles(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return ResourceLimits.DEFAULT_OPEN_FILES;
        }
        return ResourceLimits.DEFAULT_OPEN_FILES;
    }
}
