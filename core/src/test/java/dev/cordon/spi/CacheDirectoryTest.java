package dev.cordon.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CacheDirectoryTest {

    @AfterEach
    void clear() {
        System.clearProperty("cordon.cache.dir");
    }

    @Test
    void theSystemPropertyComesFirst() {
        System.setProperty("cordon.cache.dir", "/var/cache/cordon-test");
        assertEquals(Optional.of(Path.of("/var/cache/cordon-test")), CacheDirectory.path());
    }

    @Test
    void aRelativeSettingIsTakenFromTheWorkingDirectory() {
        System.setProperty("cordon.cache.dir", "build/cache");
        assertEquals(Optional.of(Path.of(System.getProperty("user.dir"), "build", "cache")), CacheDirectory.path());
    }

    @Test
    void withoutThePropertyTheEnvironmentDecides() {
        // Surefire sets CORDON_CACHE_DIR (target/cordon-cache), so the tests never touch ~/.cache/cordon.
        String env = System.getenv("CORDON_CACHE_DIR");
        Optional<Path> expected = env != null && !env.isBlank() ? Optional.of(Path.of(env).toAbsolutePath())
                : Optional.of(Path.of(System.getProperty("user.home"), ".cache", "cordon"));
        if (env == null && System.getenv("XDG_CACHE_HOME") != null) {
            return; // a developer's own XDG setting: covered by the cases above
        }
        assertEquals(expected, CacheDirectory.path());
    }
}
