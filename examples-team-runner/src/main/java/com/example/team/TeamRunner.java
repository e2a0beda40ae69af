package com.example.team;

import dev.cordon.Runner;

/** A team's own runner: Cordon with the team's policy in code. */
public final class TeamRunner {
    private TeamRunner() {
    }

    /** @param args Cargo's runner arguments */
    public static void main(String[] args) {
        System.exit(Runner.builder().policy(new TeamPolicy()).build().run(args));
    }
}
