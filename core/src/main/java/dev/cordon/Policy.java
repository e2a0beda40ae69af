package dev.cordon;

import java.util.List;

/**
 * Decides what each build script may do.
 *
 * <p>A policy maps one {@link RunnerInvocation} to one {@link Grant}. {@link #decide} must be pure:
 * the same invocation always gets the same grant, and nothing outside the invocation is consulted, so
 * a decision can be explained and tested without running anything.
 *
 * <p>Policies come from TOML files ({@link Policies#load}), from code (implement this interface), or from
 * jars on the class path ({@link dev.cordon.spi.PolicyProvider}). {@link Policies#defaults()} is what a runner uses
 * when it is given none: no network, secrets hidden, only {@code OUT_DIR} and a private temporary
 * directory writable, a filtered environment.
 *
 * @since 0.1
 */
public interface Policy {

    /** {@return where this policy came from, for messages: a file path or a short name; never null} */
    String name();

    /**
     * Decides the grant for one invocation.
     *
     * @param invocation what Cargo asked to run
     * @return the grant; never null
     */
    Grant decide(RunnerInvocation invocation);

    /**
     * {@return remarks about the policy as a whole, e.g. tables that were validated but a host runner
     * cannot enforce ({@code [permissions.macro.*]}, {@code [permissions.run]}); never null}
     */
    default List<String> notices() {
        return List.of();
    }
}
