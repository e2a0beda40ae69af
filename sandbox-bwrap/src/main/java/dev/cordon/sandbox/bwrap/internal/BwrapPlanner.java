package dev.cordon.sandbox.bwrap.internal;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.Jobserver;
import dev.cordon.NetworkAccess;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.SyscallFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns an invocation and a grant into the {@code bwrap} command line.
 *
 * <p>The sandbox: every namespace unshared (the network shared back only for a grant of all network; for
 * network routes the script starts under {@link RouteJail}),
 * all capabilities dropped, no nested user namespaces, a new session (no {@code TIOCSTI} into the
 * terminal), killed with its parent, its own {@code /proc} and a minimal {@code /dev}; the host's root
 * read-only; empty private {@code /tmp}, {@code /var/tmp}, {@code /run} and {@code $HOME}; then the
 * toolchain, the package, the build script and the target directory put back read-only, {@code OUT_DIR}
 * and the temporary directory writable, and the grant's hidden paths covered. See {@link MountTable} for
 * the order.
 *
 * <p>{@code bwrap} itself runs with only {@code PATH}, so that nothing the runner inherited (tokens,
 * keys) can be read from {@code /proc} inside the sandbox, whatever process ends up visible there.
 */
public final class BwrapPlanner {

    /** The backend id plans carry. */
    public static final String BACKEND_ID = "bwrap";

    /** The whole environment of the {@code bwrap} process. */
    static final Map<String, String> BWRAP_ENVIRONMENT = Map.of("PATH", "/usr/bin:/bin");

    private final BwrapInstallation bwrap;

    /**
     * Creates a planner for one installation.
     *
     * @param bwrap the bwrap to plan for
     */
    public BwrapPlanner(BwrapInstallation bwrap) {
        this.bwrap = Objects.requireNonNull(bwrap, "bwrap");
    }

    /**
     * Computes the plan. Creates the grant's temporary directory when it is missing, because bwrap can
     * only bind a directory that exists; it has no other side effect.
     *
     * @param invocation what Cargo asked to run
     * @param grant what it may do
     * @param syscallFilter a filter to install with {@code --seccomp}, or empty
     * @return the plan
     * @throws SandboxException when the temporary directory cannot be created, or the grant has network
     *     routes and this build of Cordon has no {@code cordon-netjail} for this machine
     */
    public ExecutionPlan plan(RunnerInvocation invocation, Grant grant, Optional<SyscallFilter> syscallFilter) {
        createTemporaryDirectory(grant);
        Path packageDir = invocation.manifestDir();
        ExecutionPlan.Builder plan = ExecutionPlan.builder(BACKEND_ID, packageDir);
        plan.environment(BWRAP_ENVIRONMENT);
        plan.command(bwrap.executable().toString());
        plan.command("--unshare-all", "--unshare-user");
        if (grant.network().mode() == NetworkAccess.Mode.ALL) {
            plan.command("--share-net");
        }
        // With bwrap's reaper as PID 1 the script could PTRACE_ATTACH it (same user, no capabilities) and
        // freeze it, hanging the build. The default syscall filter refuses ptrace; without such a filter the
        // script itself becomes PID 1 (--as-pid-1). Not always: the kernel ignores default-disposition
        // signals sent to a PID 1, so abort() would die of SIGSEGV instead of SIGABRT and crash reports
        // would name the wrong signal.
        plan.command("--die-with-parent", "--new-session", "--cap-drop", "ALL");
        boolean filterRefusesPtrace = syscallFilter.isPresent() && !grant.syscalls().allow().contains("ptrace");
        if (!filterRefusesPtrace) {
            plan.command("--as-pid-1");
        }
        if (bwrap.canDisableUserNamespaces()) {
            plan.command("--disable-userns");
        }
        plan.command("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc");

        Jobserver jobserver = invocation.jobserver().orElse(null);
        MountTable mounts = mounts(invocation, grant, jobserver);
        plan.command(mounts.toArguments());
        for (String skipped : mounts.skipped()) {
            plan.note(skipped);
        }

        plan.command("--chdir", packageDir.toString());
        plan.command("--clearenv");
        for (Map.Entry<String, String> e : grant.environment().entrySet()) {
            plan.command("--setenv", e.getKey(), e.getValue());
        }
        if (!grant.environment().containsKey("TMPDIR")) {
            plan.command("--setenv", "TMPDIR", grant.temporaryDirectory().toString());
        }

        Set<Integer> used = new TreeSet<>();
        if (jobserver != null && jobserver.fifo().isEmpty()) {
            used.add(jobserver.readFd());
            used.add(jobserver.writeFd());
        }
        for (int fd : used) {
            plan.descriptor(ExecutionPlan.Descriptor.inherited(fd));
        }
        List<String> routeJail = RouteJail.addTo(plan, grant, used); // network routes: issue 13
        if (syscallFilter.isPresent()) {
            installFilter(plan, grant, syscallFilter.get(), used);
        }

        plan.command("--");
        plan.command(routeJail);
        plan.command(invocation.command());
        return plan.build();
    }

    private static MountTable mounts(RunnerInvocation invocation, Grant grant, Jobserver jobserver) {
        Map<String, String> env = invocation.environment();
        Path home = home(env);
        MountTable mounts = new MountTable();
        mounts.privateDirectory(Path.of("/tmp"));
        mounts.privateDirectory(Path.of("/var/tmp"));
        mounts.privateDirectory(Path.of("/run"));
        if (home != null) {
            mounts.privateDirectory(home);
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

        Optional<Path> outDir = invocation.outDir();
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
        return mounts;
    }

    private void installFilter(ExecutionPlan.Builder plan, Grant grant, SyscallFilter filter, Set<Integer> used) {
        int fd = 3;
        while (used.contains(fd)) {
            fd++;
        }
        byte[] program = filter.program();
        // Next to (not inside) the temporary directory: the script can write the temporary directory,
        // not its parent. That parent belongs to this one build-script run, so a fixed name is safe.
        Path dir = Objects.requireNonNullElse(grant.temporaryDirectory().toAbsolutePath().getParent(),
                grant.temporaryDirectory());
        Path file = dir.resolve("cordon-seccomp.bpf");
        plan.file(new ExecutionPlan.PlanFile(file, program));
        plan.descriptor(ExecutionPlan.Descriptor.readFile(fd, file));
        plan.command("--seccomp", Integer.toString(fd));
        plan.note("seccomp: " + filter.description());
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
}
