package dev.cordon.examples;

import dev.cordon.Grant;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A policy that asks another policy first and then changes the grant in code: the way the example
 * runners add what TOML cannot say (a timeout computed at start-up, a list of crates from the
 * environment).
 *
 * @param base the policy deciding first; never null
 * @param change turns the base grant into the final one; must be pure, as {@link Policy#decide} is
 */
public record RefinedPolicy(Policy base, BiFunction<RunnerInvocation, Grant, Grant> change) implements Policy {

    /** Checks the components. */
    public RefinedPolicy {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(change, "change");
    }

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public Grant decide(RunnerInvocation invocation) {
        return Objects.requireNonNull(change.apply(invocation, base.decide(invocation)), "refined grant");
    }

    @Override
    public List<String> notices() {
        return base.notices();
    }
}
