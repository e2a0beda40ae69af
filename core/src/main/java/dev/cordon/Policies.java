package dev.cordon;

import dev.cordon.internal.policy.PolicyLoader;
import java.nio.file.Path;

/**
 * Where {@link Policy} instances come from: Cordon's defaults, a TOML policy file, or TOML text.
 *
 * <p>The factories live here, not on {@link Policy}, so that the interface depends on nothing of Cordon's
 * implementation (its policies implement it).
 *
 * @since 0.1
 */
public final class Policies {
    private Policies() {
    }

    /**
     * {@return Cordon's secure defaults: the policy used when no policy file is given; never null}
     */
    public static Policy defaults() {
        return PolicyLoader.defaults();
    }

    /**
     * Reads and validates a TOML policy file. A compiled form is cached by content hash, so that an
     * unchanged file costs neither a TOML parse nor a validation on later runs. A file named
     * {@code Cargo.toml} is a Cargo manifest: its policy is its {@code [workspace.metadata.cordon]} or
     * {@code [package.metadata.cordon]} table, and a manifest with neither is not found.
     *
     * @param file the policy file
     * @return the policy; never null
     * @throws PolicyException when the file is missing ({@link ExitCodes#POLICY_NOT_FOUND}) or invalid
     *     ({@link ExitCodes#INVALID_POLICY}); every problem found is listed
     */
    public static Policy load(Path file) {
        return PolicyLoader.load(file, System.getenv());
    }

    /**
     * Parses and validates TOML text, without any cache.
     *
     * @param toml the policy text
     * @param origin the file it stands for: relative paths in it resolve against its folder, and
     *     messages name it; text of a {@code Cargo.toml} is read as a manifest (see {@link #load})
     * @return the policy; never null
     * @throws PolicyException when the text is invalid
     */
    public static Policy parse(String toml, Path origin) {
        return PolicyLoader.parse(toml, origin);
    }
}
