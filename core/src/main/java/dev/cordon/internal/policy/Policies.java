package dev.cordon.internal.policy;

import dev.cordon.internal.cache.CacheFiles;
import dev.cordon.spi.CacheDirectory;
import dev.cordon.ExitCodes;
import dev.cordon.Policy;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Static entry points behind {@link Policy}'s factories.
 *
 * <p>{@link #load} is on every build script's path: with a cached compiled policy it must not touch the
 * TOML parser or the validator. Everything that does lives behind {@link PolicyCompiler}, which this
 * class only calls on a cache miss.
 */
public final class Policies {
    private Policies() {
    }

    /** {@return the built-in secure defaults} */
    public static Policy defaults() {
        return DefaultPolicy.INSTANCE;
    }

    /**
     * Loads a policy file, from the compiled-policy cache when the file is unchanged.
     *
     * @param file a TOML policy file
     * @param environment the runner call's environment (where the cache folder is)
     * @return the policy
     * @throws dev.cordon.PolicyException when the file is missing, unreadable or invalid
     */
    public static Policy load(Path file, java.util.Map<String, String> environment) {
        Path absolute = file.toAbsolutePath().normalize();
        byte[] content = read(absolute);
        String key = PolicyCache.key(content, absolute);
        Optional<Path> cacheDir = CacheDirectory.path(environment);
        if (cacheDir.isPresent()) {
            Optional<PolicyModel> cached = PolicyCache.read(cacheDir.get(), key);
            if (cached.isPresent()) {
                return new TomlPolicy(cached.get(), absolute);
            }
        }
        PolicyModel model = PolicyCompiler.compile(content, absolute);
        cacheDir.ifPresent(dir -> PolicyCache.write(dir, key, model));
        return new TomlPolicy(model, absolute);
    }

    /**
     * Parses policy text without any cache.
     *
     * @param toml policy text
     * @param origin its file
     * @return the policy
     * @throws dev.cordon.PolicyException when the text is invalid
     */
    public static Policy parse(String toml, Path origin) {
        Path absolute = origin.toAbsolutePath().normalize();
        return new TomlPolicy(PolicyCompiler.compile(toml.getBytes(StandardCharsets.UTF_8), absolute), absolute);
    }

    private static byte[] read(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw notFound(file, "is a directory, not a policy file");
            }
            if (!Files.exists(file)) {
                throw notFound(file, "does not exist");
            }
            return CacheFiles.read(file);
        } catch (IOException e) {
            throw notFound(file, "cannot be read: " + e.getMessage());
        }
    }

    private static PolicyException notFound(Path file, String what) {
        return new PolicyException(List.of(new PolicyViolation(Optional.of(file), 0, 0, "", "the policy file "
                + what, "check the path given with --policy or CORDON_POLICY")), ExitCodes.POLICY_NOT_FOUND);
    }
}
