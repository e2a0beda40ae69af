package dev.cordon.internal.exec;

import dev.cordon.ExecutionPlan;

/**
 * Starts a plan's command, with the plan's environment, working directory and descriptors, stdin on
 * {@code /dev/null} and stdout and stderr on pipes the {@link Supervisor} reads. Only the start differs
 * between launch paths; everything after it is the supervisor's.
 */
public interface Spawner {

    /**
     * @param plan the plan, whose files are already written
     * @param setup what the child does between fork and exec (cgroups, open-files limit)
     * @return the started child
     * @throws dev.cordon.SandboxException when it cannot be started, or the setup fails
     */
    Child start(ExecutionPlan plan, ChildSetup setup);

    /**
     * {@return the cgroups (made by {@code LimitEnforcement.reserve}) that the process starting the plan has
     * joined already, so its child is born in them; empty when it joined none (the child then joins the
     * run's cgroups itself, between fork and exec)}
     */
    default java.util.List<java.nio.file.Path> joinedCgroups() {
        return java.util.List.of();
    }

    /**
     * {@return whether this spawner makes {@link ExecutionPlan.ConnectedSocket} descriptors itself; when it
     * does not, a plan that needs a connection starts its command under a program that makes it}
     */
    default boolean connectsUnixSockets() {
        return false;
    }
}
