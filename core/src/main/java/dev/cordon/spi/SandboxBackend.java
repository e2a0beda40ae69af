package dev.cordon.spi;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.SyscallFilter;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a grant into an execution plan for one sandbox technology (Bubblewrap, Seatbelt, ...).
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader} or registered on a
 * {@link dev.cordon.Runner.Builder}. Ids are unique: two providers with one id are an error naming both
 * classes. With backend {@code "auto"} the runner picks the available backend with the highest
 * {@link #priority()}; ties go to the id that sorts first.
 *
 * <p>{@link #plan} must be pure and must not start anything: the runner prints plans for
 * {@code explain} and executes them separately.
 *
 * @since 0.1
 */
public interface SandboxBackend {

    /** {@return the unique id, lower-case, e.g. {@code "bwrap"}; never null} */
    String id();

    /** {@return the tie-break for {@code "auto"}: higher wins. Cordon's own backends use 100.} */
    default int priority() {
        return 0;
    }

    /** {@return whether this backend works on this machine, with the reason and fix when not} */
    Availability availability();

    /**
     * Whether this backend works for a runner call made with this environment (its {@code PATH}, its cache
     * folder); a runner serving many calls (the plan daemon) asks with each call's own. By default the
     * environment does not matter.
     *
     * @param environment the call's environment
     * @return the availability, with the reason and fix when not available
     * @since 0.2
     */
    default Availability availability(java.util.Map<String, String> environment) {
        return availability();
    }

    /** {@return what this backend can enforce; never null} */
    Set<Capability> capabilities();

    /**
     * Computes the plan.
     *
     * @param invocation what Cargo asked to run
     * @param grant what it may do; the runner has checked it against {@link #capabilities()}
     * @param syscallFilter the filter to install, present only when this backend declares
     *     {@link Capability#SYSCALL_FILTER} and the grant asks for one
     * @return the plan; never null
     * @throws dev.cordon.SandboxException when the grant cannot be planned
     */
    ExecutionPlan plan(RunnerInvocation invocation, Grant grant, Optional<SyscallFilter> syscallFilter);

    /**
     * Explains a failed run when the sandbox is the likely cause: what was denied, under which policy,
     * and the policy lines that would allow it. The runner calls this after a build script exits with a
     * non-zero status and prints the result to stderr; it must be pure and cheap.
     *
     * @param invocation what ran
     * @param grant what it was allowed
     * @param exitStatus the script's exit status ({@code 128 + signal} when a signal killed it)
     * @param stderrTail the last lines of the script's stderr
     * @return the explanation, or empty when nothing points at the sandbox (the default)
     * @since 0.1
     */
    default Optional<String> explainFailure(RunnerInvocation invocation, Grant grant, int exitStatus,
            String stderrTail) {
        return Optional.empty();
    }
}
