package dev.cordon.examples;

import dev.cordon.Runner;

/**
 * The smallest sandboxed runner: secure defaults, or the policy named by {@code --policy} or
 * {@code CORDON_POLICY}; the backend found on the class path (Bubblewrap on Linux, Seatbelt on macOS).
 */
public final class MinimalRunner {
    private MinimalRunner() {
    }

    /** @param args Cargo's runner arguments: {@code [--policy FILE] <build-script>} */
    public static void main(String[] args) {
        System.exit(Runner.builder().build().run(args));
    }
}
