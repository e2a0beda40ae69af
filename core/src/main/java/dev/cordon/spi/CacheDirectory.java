package dev.cordon.spi;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The folder where Cordon keeps what it remembers between build scripts: compiled policies, discovery
 * entries, backends' probe results. A backend that caches an expensive check (whether its sandbox works
 * here) should keep it here too, so that one setting moves or clears all of them.
 *
 * <p>The folder is the system property {@code cordon.cache.dir}, else {@code $CORDON_CACHE_DIR}, else
 * {@code $XDG_CACHE_HOME/cordon} (when absolute), else {@code ~/.cache/cordon}; a relative setting is taken
 * from the working directory. Whoever creates it should create it with
 * mode 0700. Entries must be safe to lose: a missing or unreadable one only costs time.
 */
public final class CacheDirectory {
    private CacheDirectory() {
    }

    /**
     * {@return the folder for this process's own environment, or empty when neither a cache folder nor a
     * home folder is known}
     */
    public static Optional<Path> path() {
        return path(System.getenv());
    }

    /**
     * The folder for a runner call made with this environment: the {@code cordon.cache.dir} system property,
     * else {@code $CORDON_CACHE_DIR}, else {@code $XDG_CACHE_HOME/cordon} (absolute only), else
     * {@code ~/.cache/cordon}.
     *
     * @param environment the call's environment
     * @return the folder, or empty when neither a cache folder nor a home folder is known
     * @since 0.2
     */
    public static Optional<Path> path(java.util.Map<String, String> environment) {
        String dir = System.getProperty("cordon.cache.dir");
        if (isSet(dir)) {
            return Optional.of(Path.of(dir).toAbsolutePath());
        }
        dir = environment.get("CORDON_CACHE_DIR");
        if (isSet(dir)) {
            return Optional.of(Path.of(dir).toAbsolutePath());
        }
        // The XDG base directory rules ignore a relative $XDG_CACHE_HOME; so does Cordon.
        String xdg = environment.get("XDG_CACHE_HOME");
        if (isSet(xdg) && xdg.startsWith("/")) {
            return Optional.of(Path.of(xdg, "cordon"));
        }
        String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
        return isSet(home) && home.startsWith("/") ? Optional.of(Path.of(home, ".cache", "cordon")) : Optional.empty();
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
