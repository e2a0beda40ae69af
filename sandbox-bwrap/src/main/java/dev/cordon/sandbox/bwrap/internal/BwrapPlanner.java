package dev.cordon.sandbox.bwrap.internal;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.Jobserver;
import dev.cordon.NetworkAccess;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.SyscallFilter;
import dev.cordon.internal.net.RouteLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns an invocation and a grant into the {@code bwrap} command line.
 *
 * <p>The sandbox: every namespace unshared (the network shared back only for a grant of all network; for
 * network routes the script starts under {@link RouteJail}),
 * all capabilities dropped, no nested user namespaces, a new session (no {@code TIOCSTI} into the
 * terminal), killed with its parent, its own {@code /proc} with the kernel's global settings
 * ({@code /proc/sys}, {@code /proc/sysrq-trigger}, ...) read-only, {@code /sys} read-only and a minimal
 * {@code /dev}; the host's root read-only; empty private {@code /tmp}, {@code /var/tmp}, {@code /run} and
 * {@code $HOME}; then the toolchain, the package, the build script and the target directory put back
 * read-only, {@code OUT_DIR} and the temporary directory writable, and the grant's hidden paths covered.
 * See {@link MountTable} for the order.
 *
 * <p>No value of the script's environment, and no path of the sandbox, appears on any command line
 * ({@code /proc/<pid>/cmdline} is readable by every local user): {@code bwrap} reads all its options from
 * a file ({@code --args}), written into a directory only the runner's user can enter
 * ({@code <target>/cordon-plans}, hidden from every sandbox). {@code bwrap} itself runs with only
 * {@code PATH}, so that nothing the runner inherited (tokens, keys) can be read from {@code /proc} inside
 * the sandbox, whatever process ends up visible there.
 *
 * <p>When the runner runs as root, the script runs as the unprivileged {@link SandboxUser} instead of
 * root, the writable paths are handed to that user for the run (see {@link ExecutionPlan.Handover}), and
 * directories only root may enter are replaced by empty ones above what is put back.
 */
public final class BwrapPlanner {

    /** The backend id plans carry. */
    public static final String BACKEND_ID = "bwrap";

    /** The whole environment of the {@code bwrap} process. */
    static final Map<String, String> BWRAP_ENVIRONMENT = Map.of("PATH", "/usr/bin:/bin");

    /** The directory under the target dir that holds the plans' private files; hidden from every sandbox. */
    static final String PLANS_DIRECTORY = "cordon-plans";

    /**
     * Kernel-wide settings under the sandbox's own {@code /proc}, made read-only after it is mounted (the
     * list container runtimes keep read-only; those missing on a kernel are skipped).
     */
    static final List<String> PROC_READ_ONLY = List.of("/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
            "/proc/bus", "/proc/fs");

    private final BwrapInstallation bwrap;
    private final Optional<SandboxUser> sandboxUser;

    /**
     * Creates a planner for one installation, for a runner that is not root.
     *
     * @param bwrap the bwrap to plan for
     */
    public BwrapPlanner(BwrapInstallation bwrap) {
        this(bwrap, Optional.empty());
    }

    /**
     * Creates a planner for one installation.
     *
     * @param bwrap the bwrap to plan for
     * @param sandboxUser the user scripts run as when the runner is root; empty when it is not
     */
    public BwrapPlanner(BwrapInstallation bwrap, Optional<SandboxUser> sandboxUser) {
        this.bwrap = Objects.requireNonNull(bwrap, "bwrap");
        this.sandboxUser = Objects.requireNonNull(sandboxUser, "sandboxUser");
    }

    /**
     * Computes the plan. Creates the grant's temporary directory when it is missing, because bwrap can
     * only bind a directory that exists, and the private directory for the plan's files; it has no other
     * side effect.
     *
     * @param invocation what Cargo asked to run
     * @param grant what it may do
     * @param syscallFilter a filter to install with {@code --seccomp}, or empty
     * @return the plan
     * @throws SandboxException when the temporary or private directory cannot be created, a root runner would
     *     have to hand a system directory to the sandbox user, or the grant has network routes and this build
     *     of Cordon has no {@code cordon-netjail} for this machine
     */
    public ExecutionPlan plan(RunnerInvocation invocation, Grant grant, Optional<SyscallFilter> syscallFilter) {
        createTemporaryDirectory(grant);
        Path privateDir = privateDirectory(invocation, grant);
        Path packageDir = workingDirectory(invocation);
        ExecutionPlan.Builder plan = ExecutionPlan.builder(BACKEND_ID, packageDir);
        plan.environment(BWRAP_ENVIRONMENT);
        List<String> options = new ArrayList<>();
        if (sandboxUser.isEmpty()) {
            options.addAll(List.of("--unshare-all", "--unshare-user"));
            if (grant.network().mode() == NetworkAccess.Mode.ALL) {
                options.add("--share-net");
            }
        } else {
            // No user namespace: bwrap stays root to bind what only root can reach, and the first process drops
            // to the sandbox user for real (a user namespace would map the script's uid to host root).
            options.addAll(List.of("--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"));
            if (grant.network().mode() != NetworkAccess.Mode.ALL) {
                options.add("--unshare-net");
            }
        }
        // With bwrap's reaper as PID 1 the script could PTRACE_ATTACH it (same user, no capabilities) and
        // freeze it, hanging the build. The default syscall filter refuses ptrace; without such a filter the
        // script itself becomes PID 1 (--as-pid-1). Not always: the kernel ignores default-disposition
        // signals sent to a PID 1, so abort() would die of SIGSEGV instead of SIGABRT and crash reports
        // would name the wrong signal.
        options.addAll(List.of("--die-with-parent", "--new-session", "--cap-drop", "ALL"));
        if (sandboxUser.isPresent()) {
            // For the switch alone (cordon-netjail drop or setpriv), which gives them up with everything else
            // before the script starts.
            options.addAll(List.of("--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"));
        }
        boolean filterRefusesPtrace = syscallFilter.isPresent() && !grant.syscalls().allow().contains("ptrace");
        if (!filterRefusesPtrace) {
            options.add("--as-pid-1");
        }
        if (bwrap.canDisableUserNamespaces() && sandboxUser.isEmpty()) {
            options.add("--disable-userns");
        }
        options.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"));
        for (String knob : PROC_READ_ONLY) {
            // The host's file of the same name: a bind source is looked up outside the sandbox.
            if (Files.exists(Path.of(knob), LinkOption.NOFOLLOW_LINKS)) {
                options.addAll(List.of("--ro-bind", knob, knob));
            }
        }

        Jobserver jobserver = invocation.jobserver().orElse(null);
        MountTable mounts = mounts(invocation, grant, jobserver, privateDir);
        options.addAll(mounts.toArguments());
        for (String skipped : mounts.skipped()) {
            plan.note(skipped);
        }
        plan.handover(invocation.kind() == RunnerInvocation.Kind.MACRO
                ? RootHandover.sharedDirectories(sandboxUser, grant, mounts.writablePaths())
                : RootHandover.of(sandboxUser, grant, mounts.writablePaths()));

        options.addAll(List.of("--chdir", packageDir.toString()));
        options.add("--clearenv");
        Map<String, String> environment = new TreeMap<>(grant.environment());
        environment.putIfAbsent("TMPDIR", grant.temporaryDirectory().toString());
        List<String> restored = new ArrayList<>();
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String name = e.getKey();
            if (sandboxUser.isPresent() && (SandboxUser.withheld(name) || name.equals("PWD"))) {
                // PWD too: bwrap sets its own after --chdir, which the switch removes before restoring these.
                if (sandboxUser.get().helper().isEmpty() && !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    plan.note("variable " + name + " not passed: running as root, Cordon restores loader variables "
                            + "with a shell, which cannot name it");
                    continue;
                }
                restored.add(name);
                name = SandboxUser.WITHHELD_PREFIX + name;
            }
            options.addAll(List.of("--setenv", name, e.getValue()));
        }

        Set<Integer> used = new TreeSet<>();
        if (jobserver != null && jobserver.fifo().isEmpty()) {
            used.add(jobserver.readFd());
            used.add(jobserver.writeFd());
        }
        for (int fd : used) {
            plan.descriptor(ExecutionPlan.Descriptor.inherited(fd));
        }
        List<String> routeJail = RouteJail.addTo(plan, options, grant, used); // network routes: issue 13
        if (sandboxUser.isPresent() && sandboxUser.get().helper().isPresent() && !RouteJail.applies(grant)) {
            options.addAll(List.of("--ro-bind", sandboxUser.get().helper().get().toString(), RouteLayout.SANDBOX_HELPER));
        }
        // After every bind under them (the route jail's under the private /run): bwrap cannot make a mount
        // point in a directory it has already made read-only.
        options.addAll(mounts.remountArguments());
        if (syscallFilter.isPresent()) {
            int fd = nextFree(used);
            Path file = privateDir.resolve("seccomp.bpf");
            plan.file(new ExecutionPlan.PlanFile(file, syscallFilter.get().program()));
            plan.descriptor(ExecutionPlan.Descriptor.readFile(fd, file));
            options.addAll(List.of("--seccomp", Integer.toString(fd)));
            plan.note("seccomp: " + syscallFilter.get().description());
        }

        int argsFd = nextFree(used);
        Path argsFile = privateDir.resolve("bwrap-args");
        plan.file(new ExecutionPlan.PlanFile(argsFile, nulSeparated(options)));
        plan.descriptor(ExecutionPlan.Descriptor.readFile(argsFd, argsFile));
        plan.note("bwrap options (from descriptor " + argsFd + ", values not shown): " + withoutValues(options));

        plan.command(bwrap.executable().toString(), "--args", Integer.toString(argsFd), "--");
        // Network routes: the filter is installed first, then (as root) the switch to the sandbox user.
        plan.command(routeJail);
        if (sandboxUser.isPresent()) {
            plan.command(sandboxUser.get().switchCommand(restored, grant.environment()));
        }
        plan.command(invocation.command());
        return plan.build();
    }

    private static int nextFree(Set<Integer> used) {
        int fd = 3;
        while (used.contains(fd)) {
            fd++;
        }
        used.add(fd);
        return fd;
    }

    private static byte[] nulSeparated(List<String> options) {
        StringBuilder text = new StringBuilder();
        for (String option : options) {
            if (option.indexOf('\0') >= 0) {
                throw new SandboxException("a bwrap option contains a NUL character: " + withoutValues(List.of(option)),
                        ExitCodes.SANDBOX_FAILED);
            }
            text.append(option).append('\0');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The options for people, with every variable's value left out. */
    private static String withoutValues(List<String> options) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < options.size(); i++) {
            boolean value = i >= 2 && options.get(i - 2).equals("--setenv");
            out.append(i == 0 ? "" : " ").append(value ? "<value>" : options.get(i));
        }
        return out.toString();
    }

    /**
     * The directory for the plan's files (the bwrap options hold the script's environment): under
     * {@code <target>/cordon-plans}, which only the runner's user may enter and which every sandbox hides,
     * one folder per build-script directory; without a target dir, a fresh folder in the system temporary
     * directory (private in every sandbox).
     */
    static Path privateDirectory(RunnerInvocation invocation, Grant grant) {
        try {
            Optional<Path> target = invocation.targetDir();
            if (target.isPresent() && invocation.kind() == RunnerInvocation.Kind.MACRO) {
                // One folder per rustc call: its temporary directory's name carries the unit's hash.
                Path plans = ownerOnlyDirectory(target.get().resolve(PLANS_DIRECTORY));
                return ownerOnlyDirectory(plans.resolve("rustc-" + grant.temporaryDirectory().getFileName()));
            }
            Optional<Path> buildDir = invocation.buildDir();
            if (target.isPresent() && buildDir.isPresent() && buildDir.get().startsWith(target.get())) {
                Path plans = ownerOnlyDirectory(target.get().resolve(PLANS_DIRECTORY));
                String name = target.get().relativize(buildDir.get()).toString().replace('/', '-');
                return ownerOnlyDirectory(plans.resolve(name));
            }
            return Files.createTempDirectory("cordon-plan-", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (IOException e) {
            throw new SandboxException("cannot create the private directory for the plan of crate '"
                    + grant.crateName() + "': " + e.getMessage(), ExitCodes.SANDBOX_FAILED, new UncheckedIOException(e));
        }
    }

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private static Path ownerOnlyDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(dir + " exists and is not a directory", e);
            }
        }
        // Whoever made it: only its owner may enter, and it must be ours (setting permissions fails otherwise).
        Files.setPosixFilePermissions(dir, OWNER_ONLY);
        return dir;
    }

    private MountTable mounts(RunnerInvocation invocation, Grant grant, Jobserver jobserver, Path privateDir) {
        Map<String, String> env = invocation.environment();
        Path home = home(env);
        MountTable mounts = new MountTable();
        boolean root = sandboxUser.isPresent();
        // The sandbox user of a root runner is not the one bwrap creates these as: they must be open to all.
        for (Path tmp : List.of(Path.of("/tmp"), Path.of("/var/tmp"))) {
            if (root) {
                mounts.sharedPrivateDirectory(tmp);
            } else {
                mounts.privateDirectory(tmp);
            }
        }
        mounts.privateDirectory(Path.of("/run"));
        if (home != null) {
            if (root) {
                mounts.sharedPrivateDirectory(home);
            } else {
                mounts.privateDirectory(home);
            }
        }

        Path cargoHome = pathVariable(env, "CARGO_HOME");
        if (cargoHome == null && home != null) {
            cargoHome = home.resolve(".cargo");
        }
        Path rustupHome = pathVariable(env, "RUSTUP_HOME");
        if (rustupHome == null && home != null) {
            rustupHome = home.resolve(".rustup");
        }
        if (cargoHome != null) {
            // The registry and git checkouts hold dependency sources; bin holds the rustup proxies
            // (rustc, cargo). Never CARGO_HOME itself: it holds credentials.toml.
            mounts.readOnly(cargoHome.resolve("registry"), null);
            mounts.readOnly(cargoHome.resolve("git"), null);
            mounts.readOnly(cargoHome.resolve("bin"), null);
        }
        if (rustupHome != null) {
            mounts.readOnly(rustupHome, null);
        }
        mounts.readOnly(invocation.manifestDir(), "package directory");
        Path scriptDir = invocation.program().getParent();
        if (scriptDir != null) {
            mounts.readOnly(scriptDir, "build-script directory");
        }
        Optional<Path> targetDir = invocation.targetDir();
        if (targetDir.isPresent()) {
            mounts.readOnly(targetDir.get(), "target directory");
        }
        for (Path p : grant.readable()) {
            mounts.readOnly(p, "readable path");
        }
        if (jobserver != null && jobserver.fifo().isPresent()) {
            mounts.readOnly(jobserver.fifo().get(), "jobserver FIFO");
        }
        if (grant.network().mode() == NetworkAccess.Mode.ALL) {
            // /etc/resolv.conf is often a symlink into /run (systemd-resolved), which is private here.
            mounts.readOnly(Path.of("/etc/resolv.conf"), null);
        }

        Optional<Path> outDir = writableOutDir(invocation);
        if (outDir.isPresent()) {
            mounts.writable(outDir.get(), "OUT_DIR");
        }
        mounts.writable(grant.temporaryDirectory(), "temporary directory");
        for (Path p : grant.writable()) {
            mounts.writable(p, "writable path");
        }

        for (Path p : grant.hidden()) {
            mounts.hidden(p);
        }
        // The plans of every build script (their environments): never readable from a sandbox.
        mounts.hidden(privateDir.getParent().getFileName().toString().equals(PLANS_DIRECTORY)
                ? privateDir.getParent() : privateDir);
        if (root) {
            mounts.coverUnreachableAncestors();
        }
        return mounts;
    }

    private static void createTemporaryDirectory(Grant grant) {
        try {
            Files.createDirectories(grant.temporaryDirectory());
        } catch (IOException e) {
            throw new SandboxException("cannot create the temporary directory " + grant.temporaryDirectory()
                    + " for crate '" + grant.crateName() + "': " + e.getMessage(), ExitCodes.SANDBOX_FAILED,
                    new UncheckedIOException(e));
        }
    }

    /**
     * The home directory as the build script sees it: {@code HOME} from Cargo's environment, else the
     * JVM's {@code user.home}; null when neither is an absolute path.
     */
    static Path home(Map<String, String> env) {
        Path home = pathVariable(env, "HOME");
        if (home != null) {
            return home;
        }
        String property = System.getProperty("user.home", "");
        return property.startsWith("/") ? Path.of(property) : null;
    }

    private static Path pathVariable(Map<String, String> env, String name) {
        String value = env.get(name);
        return value != null && value.startsWith("/") ? Path.of(value) : null;
    }

    /**
     * Where the program starts: a build script in its package root (Cargo's contract), a binary, test or
     * bench where Cargo started it ({@code cargo run} keeps the caller's directory), rustc where Cargo did.
     */
    private static Path workingDirectory(RunnerInvocation invocation) {
        return invocation.kind() == RunnerInvocation.Kind.RUN || invocation.kind() == RunnerInvocation.Kind.MACRO
                ? invocation.workingDirectory() : invocation.manifestDir();
    }

    /**
     * {@code OUT_DIR}, which a build script always may write; empty for a binary, test or bench run
     * ({@code cargo run/test}), which Cargo also gives its package's {@code OUT_DIR} but which writes only what
     * its grant lists: the build script's output is an input of later compilations outside any sandbox; and for
     * a rustc call that loads proc macros, which writes only its own outputs.
     */
    private static Optional<Path> writableOutDir(RunnerInvocation invocation) {
        return invocation.kind() == RunnerInvocation.Kind.RUN || invocation.kind() == RunnerInvocation.Kind.MACRO
                ? Optional.empty() : invocation.outDir();
    }
}
