package dev.cordon.sandbox.bwrap.internal;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.SyscallFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns an invocation and a grant into the {@code bwrap} command line.
 *
 * <p>The sandbox: every namespace unshared (the network shared back only for a grant of all network),
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
     * @throws SandboxException when the grant asks for network routes, which bwrap cannot enforce, or the
     *     temporary directory cannot be created
     */
    public ExecutionPlan plan(RunnerInvocation invocation, Grant grant, Optional<SyscallFilter> syscallFilter) {
        if (grant.network().mode() == NetworkAccess.Mode.ROUTES) {
            throw new SandboxException("crate '" + grant.crateName() + "' asks for network routes "
                    + grant.network().routes() + " but backend 'bwrap' can only grant all network or none: "
                    + "permit all network for it, or use a backend that enforces routes", ExitCodes.UNENFORCEABLE);
        }
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

        Optional<Jobserver> jobserver = Jobserver.parse(invocation.environment().get("CARGO_MAKEFLAGS"));
        MountTable mounts = mounts(invocation, grant, jobserver);
        plan.command(mounts.toArguments());
        mounts.skipped().forEach(plan::note);

        plan.command("--chdir", packageDir.toString());
        plan.command("--clearenv");
        grant.environment().forEach((k, v) -> plan.command("--setenv", k, v));
        if (!grant.environment().containsKey("TMPDIR")) {
            plan.command("--setenv", "TMPDIR", grant.temporaryDirectory().toString());
        }

        Set<Integer> used = new TreeSet<>();
        jobserver.filter(j -> j.fifo().isEmpty()).ifPresent(j -> {
            used.add(j.readFd());
            used.add(j.writeFd());
        });
        used.forEach(fd -> plan.descriptor(ExecutionPlan.Descriptor.inherited(fd)));
        syscallFilter.ifPresent(filter -> installFilter(plan, grant, filter, used));

        plan.command("--");
        plan.command(invocation.command());
        return plan.build();
    }

    private static MountTable mounts(RunnerInvocation invocation, Grant grant, Optional<Jobserver> jobserver) {
        Map<String, String> env = invocation.environment();
        Optional<Path> home = home(env);
        MountTable mounts = new MountTable();
        for (String dir : List.of("/tmp", "/var/tmp", "/run")) {
            mounts.privateDirectory(Path.of(dir));
        }
        home.ifPresent(mounts::privateDirectory);

        Optional<Path> cargoHome = pathVariable(env, "CARGO_HOME").or(() -> home.map(h -> h.resolve(".cargo")));
        Optional<Path> rustupHome = pathVariable(env, "RUSTUP_HOME").or(() -> home.map(h -> h.resolve(".rustup")));
        cargoHome.ifPresent(c -> {
            // The registry and git checkouts hold dependency sources; bin holds the rustup proxies
            // (rustc, cargo). Never CARGO_HOME itself: it holds credentials.toml.
            for (String part : List.of("registry", "git", "bin")) {
                mounts.readOnly(c.resolve(part), null);
            }
        });
        rustupHome.ifPresent(r -> mounts.readOnly(r, null));
        mounts.readOnly(invocation.manifestDir(), "package directory");
        Path scriptDir = invocation.program().getParent();
        if (scriptDir != null) {
            mounts.readOnly(scriptDir, "build-script directory");
        }
        invocation.targetDir().ifPresent(t -> mounts.readOnly(t, "target directory"));
        grant.readable().forEach(p -> mounts.readOnly(p, "readable path"));
        jobserver.flatMap(Jobserver::fifo).ifPresent(f -> mounts.readOnly(f, "jobserver FIFO"));
        if (grant.network().mode() == NetworkAccess.Mode.ALL) {
            // /etc/resolv.conf is often a symlink into /run (systemd-resolved), which is private here.
            mounts.readOnly(Path.of("/etc/resolv.conf"), null);
        }

        invocation.outDir().ifPresent(o -> mounts.writable(o, "OUT_DIR"));
        mounts.writable(grant.temporaryDirectory(), "temporary directory");
        grant.writable().forEach(p -> mounts.writable(p, "writable path"));

        grant.hidden().forEach(mounts::hidden);
        return mounts;
    }

    private void installFilter(ExecutionPlan.Builder plan, Grant grant, SyscallFilter filter, Set<Integer> used) {
        int fd = 3;
        while (used.contains(fd)) {
            fd++;
        }
        byte[] program = filter.program();
        // Next to (not inside) the temporary directory: the script can write the temporary directory,
        // not its parent; the name carries the content hash so parallel plans never share a file.
        Path dir = Objects.requireNonNullElse(grant.temporaryDirectory().toAbsolutePath().getParent(),
                grant.temporaryDirectory());
        Path file = dir.resolve("cordon-seccomp-" + shortHash(program) + ".bpf");
        plan.file(new ExecutionPlan.PlanFile(file, program));
        plan.descriptor(ExecutionPlan.Descriptor.readFile(fd, file));
        plan.command("--seccomp", Integer.toString(fd));
        plan.note("seccomp: " + filter.description());
    }

    private static String shortHash(byte[] bytes) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
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
     * JVM's {@code user.home}.
     */
    static Optional<Path> home(Map<String, String> env) {
        return pathVariable(env, "HOME").or(() -> {
            String home = System.getProperty("user.home", "");
            return home.startsWith("/") ? Optional.of(Path.of(home)) : Optional.empty();
        });
    }

    private static Optional<Path> pathVariable(Map<String, String> env, String name) {
        String value = env.get(name);
        return value != null && value.startsWith("/") ? Optional.of(Path.of(value)) : Optional.empty();
    }
}
