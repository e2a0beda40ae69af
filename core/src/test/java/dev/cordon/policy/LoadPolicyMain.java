package dev.cordon.policy;

import dev.cordon.Grant;
import dev.cordon.Policies;
import dev.cordon.Policy;
import java.nio.file.Path;

/**
 * Run in a fresh JVM by {@link PolicyCacheTest}: loads a policy as a runner does per build script and
 * prints how long {@code Policies.load} took.
 */
public final class LoadPolicyMain {
    private LoadPolicyMain() {
    }

    /**
     * Loads the policy named by the first argument.
     *
     * @param args the policy file
     */
    public static void main(String[] args) {
        long start = System.nanoTime();
        Policy policy = Policies.load(Path.of(args[0]));
        long loaded = System.nanoTime();
        Grant grant = policy.decide(Fixtures.invocation("sqlx"));
        long decided = System.nanoTime();
        System.out.println("CORDON_LOAD_MICROS=" + (loaded - start) / 1000);
        System.out.println("CORDON_DECIDE_MICROS=" + (decided - loaded) / 1000);
        System.out.println("CORDON_NETWORK=" + grant.network().describe());
    }
}
