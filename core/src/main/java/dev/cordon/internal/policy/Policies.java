package dev.cordon.internal.policy;

import dev.cordon.CordonException;
import dev.cordon.ExitCodes;
import dev.cordon.Policy;
import java.nio.file.Path;

/** Static entry points behind {@link Policy}'s factories. */
public final class Policies {
    private Policies() {
    }

    /** {@return the built-in secure defaults} */
    public static Policy defaults() {
        return DefaultPolicy.INSTANCE;
    }

    /** @param file a TOML policy file @return the policy */
    public static Policy load(Path file) {
        throw new CordonException("TOML policies are not wired yet: " + file, ExitCodes.INTERNAL);
    }

    /** @param toml policy text @param origin its file @return the policy */
    public static Policy parse(String toml, Path origin) {
        throw new CordonException("TOML policies are not wired yet: " + origin, ExitCodes.INTERNAL);
    }
}
