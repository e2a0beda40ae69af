package dev.cordon.internal.discovery;

import dev.cordon.BackendChoice;
import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.SyscallFilter;
import dev.cordon.spi.Availability;
import dev.cordon.spi.Capability;
import dev.cordon.spi.SandboxBackend;
import java.util.Optional;
import java.util.Set;

/**
 * Runs the build script with no sandbox: only the grant's environment applies. Chosen only when a
 * policy (or the pin) names {@code "none"}; never picked by {@code "auto"}, and the runner warns on every
 * run.
 */
public final class NoSandboxBackend implements SandboxBackend {

    @Override
    public String id() {
        return BackendChoice.NONE.id();
    }

    @Override
    public int priority() {
        return Integer.MIN_VALUE;
    }

    @Override
    public Availability availability() {
        return Availability.available();
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.ENVIRONMENT);
    }

    @Override
    public ExecutionPlan plan(RunnerInvocation invocation, Grant grant, Optional<SyscallFilter> syscallFilter) {
        ExecutionPlan.Builder plan = ExecutionPlan.builder(id(), invocation.workingDirectory())
                .command(invocation.command())
                .environment(grant.environment())
                .note("NO SANDBOX: the build script runs with your rights (policy backend = \"none\")");
        // The jobserver still has to reach the script.
        for (int fd : invocation.jobserver().isPresent() ? invocation.jobserver().get().descriptors()
                : java.util.List.<Integer>of()) {
            plan.descriptor(ExecutionPlan.Descriptor.inherited(fd));
        }
        return plan.build();
    }
}
