package com.example.team;

import dev.cordon.Grant;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;

/**
 * The team's policy, in code: Cordon's secure defaults, and every build script is told which runner
 * sandboxed it ({@code CORDON_TEAM_RUNNER}), which the defaults would never set.
 */
final class TeamPolicy implements Policy {
    private final Policy base = Policies.defaults();

    @Override
    public String name() {
        return "team-policy";
    }

    @Override
    public Grant decide(RunnerInvocation invocation) {
        return base.decide(invocation).toBuilder().policyName(name())
                .environment("CORDON_TEAM_RUNNER", "com.example.team.TeamRunner").build();
    }
}
