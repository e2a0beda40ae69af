package dev.cordon.internal.policy;

import dev.cordon.internal.cache.CacheFiles;
import dev.cordon.internal.policy.cache.PolicyCache;
import dev.cordon.internal.policy.evaluation.DefaultPolicy;
import dev.cordon.internal.policy.evaluation.TomlPolicy;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.reading.PolicyCompiler;
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
 * Loading and parsing policies: what {@link dev.cordon.Policies} and the runner call.
 *
 * <p>{@link #load} is on every build script's path: with a cached compiled policy it must not touch the
 * TOML parser or the validator. Everything that does lives behind {@link PolicyCompiler}, which this
 * class only calls on a cache miss.
 */
public final class PolicyLoader {
    private PolicyLoader() {
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
        if (isManifest(absolute)) {
            return manifestPolicy(content, absolute, environment).orElseThrow(() -> noPolicyIn(absolute));
        }
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
        if (isManifest(absolute)) {
            byte[] content = toml.getBytes(StandardCharsets.UTF_8);
            return PolicyCompiler.compileManifest(content, absolute).<Policy>map(m -> new TomlPolicy(m.model(),
                    absolute, m.table())).orElseThrow(() -> noPolicyIn(absolute));
        }
        return new TomlPolicy(PolicyCompiler.compile(toml.getBytes(StandardCharsets.UTF_8), absolute), absolute);
    }

    /**
     * {@return whether a policy file is a Cargo manifest, whose policy is its
     * {@code [workspace.metadata.cordon]} or {@code [package.metadata.cordon]} table}
     *
     * @param file a file named by option, environment or discovery
     */
    public static boolean isManifest(Path file) {
        return file.getFileName() != null && file.getFileName().toString().equals("Cargo.toml");
    }

    /**
     * Loads the policy a Cargo manifest holds, from the compiled-policy cache when the manifest is unchanged.
     * A manifest without the word {@code cordon} is answered without parsing it; one that has the word but no
     * policy table is remembered in the cache as having none.
     *
     * @param manifest the manifest ({@code Cargo.toml})
     * @param environment the runner call's environment (where the cache folder is)
     * @return the policy, or empty when the manifest has no policy table or cannot be read
     * @throws dev.cordon.PolicyException when the table is invalid
     */
    public static Optional<Policy> fromManifest(Path manifest, java.util.Map<String, String> environment) {
        Path absolute = manifest.toAbsolutePath().normalize();
        byte[] content;
        try {
            content = CacheFiles.read(absolute);
        } catch (IOException e) {
            return Optional.empty();
        }
        return manifestPolicy(content, absolute, environment);
    }

    private static Optional<Policy> manifestPolicy(byte[] content, Path absolute, java.util.Map<String, String> environment) {
        if (!mentionsCordon(content)) {
            return Optional.empty();
        }
        String key = PolicyCache.key(content, absolute);
        Optional<Path> cacheDir = CacheDirectory.path(environment);
        if (cacheDir.isPresent()) {
            if (PolicyCache.knownAbsent(cacheDir.get(), key)) {
                return Optional.empty();
            }
            Optional<PolicyCache.Entry> cached = PolicyCache.readEntry(cacheDir.get(), key);
            if (cached.isPresent()) {
                return Optional.of(new TomlPolicy(cached.get().model(), absolute, cached.get().table()));
            }
        }
        Optional<PolicyCompiler.ManifestPolicy> compiled = PolicyCompiler.compileManifest(content, absolute);
        if (compiled.isEmpty()) {
            cacheDir.ifPresent(dir -> PolicyCache.writeAbsent(dir, key));
            return Optional.empty();
        }
        cacheDir.ifPresent(dir -> PolicyCache.write(dir, key, compiled.get().model(), compiled.get().table()));
        return Optional.of(new TomlPolicy(compiled.get().model(), absolute, compiled.get().table()));
    }

    /**
     * {@return whether a manifest contains the word {@code cordon}} A byte search, not a parse: most
     * manifests never mention Cordon and cost no TOML parser.
     *
     * @param content the manifest's bytes
     */
    public static boolean mentionsCordon(byte[] content) {
        byte[] word = {'c', 'o', 'r', 'd', 'o', 'n'};
        outer:
        for (int i = 0; i + word.length <= content.length; i++) {
            for (int j = 0; j < word.length; j++) {
                if (content[i + j] != word[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
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

    private static PolicyException noPolicyIn(Path manifest) {
        return new PolicyException(List.of(new PolicyViolation(Optional.of(manifest), 0, 0, "", "this Cargo manifest"
                + " holds no policy: it has neither [workspace.metadata.cordon] nor [package.metadata.cordon]",
                "add the policy's tables under [workspace.metadata.cordon] (see the policy reference), or name a"
                        + " policy file")), ExitCodes.POLICY_NOT_FOUND);
    }

    private static PolicyException notFound(Path file, String what) {
        return new PolicyException(List.of(new PolicyViolation(Optional.of(file), 0, 0, "", "the policy file "
                + what, "check the path given with --policy or CORDON_POLICY")), ExitCodes.POLICY_NOT_FOUND);
    }
}
