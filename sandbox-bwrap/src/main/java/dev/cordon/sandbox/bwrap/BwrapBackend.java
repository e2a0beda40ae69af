package dev.cordon.sandbox.bwrap;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.SyscallFilter;
import dev.cordon.sandbox.bwrap.internal.BwrapPlanner;
import dev.cordon.sandbox.bwrap.internal.BwrapProbe;
import dev.cordon.sandbox.bwrap.internal.DenialExplainer;
import dev.cordon.spi.Availability;
import dev.cordon.spi.Capability;
import dev.cordon.spi.SandboxBackend;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The strict Linux backend: runs each build script under <a href="https://github.com/containers/bubblewrap">
 * Bubblewrap</a> in fresh namespaces (no network unless granted all of it, its own PIDs, no capabilities),
 * with the host's filesystem read-only, private empty {@code /tmp}, {@code /run} and {@code $HOME}, only
 * {@code OUT_DIR} and a private temporary directory writable, hidden paths covered, exactly the grant's
 * environment, and optionally a seccomp filter.
 *
 * <p>Id {@code bwrap}, priority 100, so {@code "auto"} picks it on Linux. It is available when
 * {@code bwrap} is on {@code PATH} and a trial sandbox starts (user namespaces may be blocked by
 * AppArmor or a sysctl; the reason names the fix). The trial runs once per JVM and, on success, is
 * remembered in Cordon's {@link dev.cordon.spi.CacheDirectory} until bwrap, the boot or the
 * user-namespace settings change. Network routes are enforced by a supervisor outside the sandbox
 * that connects on the script's behalf (the runner must hold the plan's route broker; see
 * {@code docs/policy.md}).
 *
 * <p>Found by {@link java.util.ServiceLoader}; create one by hand with the public constructor.
 *
 * @since 0.1
 */
public final class BwrapBackend implements SandboxBackend {

    /** The id, {@value}. */
    public static final String ID = "bwrap";

    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.NETWORK_DENY,
            Capability.NETWORK_ROUTES, Capability.WRITE_RESTRICTION, Capability.HIDE_PATHS, Capability.ENVIRONMENT,
            Capability.PROCESS_ISOLATION, Capability.SYSCALL_FILTER));

    /** Creates the backend; nothing is probed until {@link #availability()} or {@link #plan} is called. */
    public BwrapBackend() {
    }

    /**
     * Probes once per JVM and environment that matters (its {@code PATH} and cache folder), on first use: a
     * plan daemon answers calls made with many environments.
     */
    private static final java.util.concurrent.ConcurrentHashMap<java.util.List<Object>, BwrapProbe.Result> PROBED =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static BwrapProbe.Result probed(java.util.Map<String, String> environment) {
        java.util.Map<String, String> path = java.util.Map.of("PATH", environment.getOrDefault("PATH", ""));
        Optional<java.nio.file.Path> cache = dev.cordon.spi.CacheDirectory.path(environment);
        return PROBED.computeIfAbsent(java.util.List.of(path, cache),
                k -> new BwrapProbe(path, java.nio.file.Path.of("/proc/sys"), cache).probe());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        return probed(System.getenv()).availability();
    }

    @Override
    public Availability availability(java.util.Map<String, String> environment) {
        return probed(environment).availability();
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Creates the grant's temporary directory if it is missing (bwrap can only bind what exists).
     *
     * @throws SandboxException when bwrap is unavailable (with the reason), or the grant has network
     *     routes and this build of Cordon has no {@code cordon-netjail} for this machine
     */
    @Override
    public ExecutionPlan plan(RunnerInvocation invocation, Grant grant, Optional<SyscallFilter> syscallFilter) {
        BwrapProbe.Result probed = probed(invocation.environment());
        if (probed.installation().isEmpty()) {
            throw new SandboxException("backend 'bwrap' is not available: " + probed.availability().reason(),
                    ExitCodes.SANDBOX_UNAVAILABLE);
        }
        return new BwrapPlanner(probed.installation().get(), probed.sandboxUser()).plan(invocation, grant,
                syscallFilter);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Recognises writes refused under the package directory, {@code $HOME} or the target directory,
     * reads of hidden paths, network errors and bwrap's own setup errors.
     */
    @Override
    public Optional<String> explainFailure(RunnerInvocation invocation, Grant grant, int exitStatus,
            String stderrTail) {
        return DenialExplainer.explain(invocation, grant, exitStatus, stderrTail);
    }

    @Override
    public String toString() {
        return "BwrapBackend[" + ID + "]";
    }
}
