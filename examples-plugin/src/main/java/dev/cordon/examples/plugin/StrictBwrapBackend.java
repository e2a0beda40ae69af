package dev.cordon.examples.plugin;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.SyscallFilter;
import dev.cordon.sandbox.bwrap.BwrapBackend;
import dev.cordon.spi.Availability;
import dev.cordon.spi.Capability;
import dev.cordon.spi.SandboxBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The sandbox backend {@code bwrap-strict}: Cordon's Bubblewrap backend, with host files that say who
 * and where the machine is, or hand out root, hidden from every build script as well.
 *
 * <p>This is an example of a third-party backend, not a stronger sandbox: it adds no enforcement
 * mechanism of its own. It widens the grant's hidden paths with {@link #EXTRA_HIDDEN} and asks
 * {@link BwrapBackend} for the plan, so it is exactly as strong as Bubblewrap plus those few paths.
 * Its {@link #priority()} is below Bubblewrap's, so {@code backend = "auto"} never picks it; a policy
 * chooses it by name: {@code [sandbox] backend = "bwrap-strict"}.
 *
 * @since 0.1
 */
public final class StrictBwrapBackend implements SandboxBackend {

    /** This backend's id. */
    public static final String ID = "bwrap-strict";

    /**
     * Paths hidden on top of the grant's: the machine's identity, password hashes, SSH host keys and
     * the container engines' control sockets (which are root on the host to whoever can connect).
     */
    public static final List<Path> EXTRA_HIDDEN = List.of(Path.of("/etc/machine-id"),
            Path.of("/var/lib/dbus/machine-id"), Path.of("/etc/shadow"), Path.of("/etc/gshadow"),
            Path.of("/etc/ssh"), Path.of("/run/docker.sock"), Path.of("/var/run/docker.sock"),
            Path.of("/run/containerd"), Path.of("/run/podman"));

    private final BwrapBackend bwrap;

    /** Creates the backend; {@link java.util.ServiceLoader} calls this. */
    public StrictBwrapBackend() {
        this(new BwrapBackend());
    }

    /** @param bwrap the Bubblewrap backend to delegate to */
    StrictBwrapBackend(BwrapBackend bwrap) {
        this.bwrap = bwrap;
    }

    @Override
    public String id() {
        return ID;
    }

    /** {@return 10: below Cordon's own backends (100), so {@code "auto"} never chooses this one} */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability availability() {
        Availability delegate = bwrap.availability();
        return delegate.isAvailable() ? delegate
                : Availability.unavailable(ID + " runs on the bwrap backend, which is unavailable: "
                        + delegate.reason());
    }

    @Override
    public Set<Capability> capabilities() {
        return bwrap.capabilities();
    }

    /**
     * Plans as {@link BwrapBackend} would for the grant with {@link #EXTRA_HIDDEN} added, and labels the
     * plan with this backend's id. Pure, like the plan it delegates to.
     */
    @Override
    public ExecutionPlan plan(RunnerInvocation invocation, Grant grant, Optional<SyscallFilter> syscallFilter) {
        Grant.Builder stricter = grant.toBuilder();
        EXTRA_HIDDEN.forEach(stricter::hidden);
        ExecutionPlan plan = bwrap.plan(invocation, stricter.build(), syscallFilter);
        ExecutionPlan.Builder relabelled = ExecutionPlan.builder(ID, plan.workingDirectory())
                .command(plan.command()).environment(plan.environment());
        plan.descriptors().forEach(relabelled::descriptor);
        plan.files().forEach(relabelled::file);
        plan.notes().forEach(relabelled::note);
        return relabelled.note(ID + ": also hides " + EXTRA_HIDDEN.size() + " host paths (those that exist): "
                + EXTRA_HIDDEN).build();
    }

    @Override
    public Optional<String> explainFailure(RunnerInvocation invocation, Grant grant, int exitStatus,
            String stderrTail) {
        Grant.Builder stricter = grant.toBuilder();
        EXTRA_HIDDEN.forEach(stricter::hidden);
        return bwrap.explainFailure(invocation, stricter.build(), exitStatus, stderrTail);
    }

    @Override
    public String toString() {
        return "StrictBwrapBackend[" + ID + " over " + bwrap + "]";
    }
}
