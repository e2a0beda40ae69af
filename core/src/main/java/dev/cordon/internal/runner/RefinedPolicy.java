package dev.cordon.internal.runner;

import dev.cordon.Grant;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The policy a call resolved to, with the runner's {@code refineGrants} function applied to each grant it
 * decides (see {@link dev.cordon.Runner.Builder#refineGrants}).
 *
 * @param base the policy resolved for the call
 * @param change turns its grant into the one the script runs with
 */
record RefinedPolicy(Policy base, BiFunction<RunnerInvocation, Grant, Grant> change) implements Policy {

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public Grant decide(RunnerInvocation invocation) {
        return Objects.requireNonNull(change.apply(invocation, base.decide(invocation)),
                "the runner's refineGrants function returned null for crate " + invocation.crateName());
    }

    @Override
    public List<String> notices() {
        return base.notices();
    }
}
