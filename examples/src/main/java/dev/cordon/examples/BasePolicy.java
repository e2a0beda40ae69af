package dev.cordon.examples;

import dev.cordon.Policy;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where the example runners get the policy they refine: {@code --policy FILE}, else
 * {@code $CORDON_POLICY}, else a fallback. (A policy set on {@link dev.cordon.Runner.Builder#policy} replaces
 * the runner's own lookup, so a runner that refines a policy in code reads the file itself.)
 */
final class BasePolicy {
    private BasePolicy() {
    }

    /**
     * @param args the runner's arguments
     * @param env the runner's environment
     * @param fallback the policy when no file is named
     * @return the policy; never null
     */
    static Policy of(String[] args, Map<String, String> env, Supplier<Policy> fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--policy")) {
                return Policy.load(Path.of(args[i + 1]).toAbsolutePath());
            }
        }
        String named = env.getOrDefault("CORDON_POLICY", "");
        return named.isBlank() ? fallback.get() : Policy.load(Path.of(named).toAbsolutePath());
    }
}
