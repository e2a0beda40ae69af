package dev.cordon.examples;

import dev.cordon.Runner;

/**
 * The training run behind the reference runner's AOT cache ({@code bin/lib/aot-train.sh}, at package time):
 * one build script through the reference runner twice in one JVM, once under a policy file and once under
 * the defaults. The cache keeps what the training loaded and linked, so both paths a real build script takes
 * start from it; a path left out of training spins its lambdas at every start instead. Not an API.
 */
public final class AotTraining {
    private AotTraining() {
    }

    /** @param args {@code POLICY-FILE BUILD-SCRIPT} */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: AotTraining POLICY-FILE BUILD-SCRIPT");
            System.exit(64);
        }
        // The real entry point is MinimalRunner: load it too, or every start reads it from the jar.
        try {
            Class.forName(MinimalRunner.class.getName());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        int underPolicy = Runner.builder().build().run(new String[] {"--policy", args[0], args[1]});
        int underDefaults = Runner.builder().build().run(new String[] {args[1]});
        System.exit(underPolicy != 0 ? underPolicy : underDefaults);
    }
}
