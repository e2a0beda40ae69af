package dev.cordon.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Guards tests that need real tools (bwrap, cargo, cc). With {@code -Dcordon.requireTools=true} (CI)
 * a missing tool fails the test; otherwise (a developer laptop) the test is skipped with the reason.
 */
public final class RequiredTools {
    private RequiredTools() {
    }

    /** {@return true when CI demands every tool} */
    public static boolean required() {
        return Boolean.getBoolean("cordon.requireTools");
    }

    /**
     * Finds a tool on {@code PATH} (or at an absolute path), failing or skipping the test when absent.
     *
     * @param name the executable name
     * @return its absolute path
     */
    public static Path require(String name) {
        Optional<Path> found = find(name);
        if (found.isPresent()) {
            return found.get();
        }
        missing(name + " is not installed (not found on PATH)");
        throw new AssertionError("unreachable");
    }

    /**
     * Fails (CI) or skips (laptop) the current test.
     *
     * @param reason what is missing and how to install it
     */
    public static void missing(String reason) {
        if (required()) {
            fail("required tool missing with -Dcordon.requireTools=true: " + reason);
        }
        Assumptions.abort("skipped on this machine: " + reason);
    }

    /**
     * Looks a tool up on {@code PATH}, plus {@code ~/.cargo/bin} for cargo and rustc.
     *
     * @param name the executable name or an absolute path
     * @return the path, or empty
     */
    public static Optional<Path> find(String name) {
        if (name.startsWith("/")) {
            return Files.isExecutable(Path.of(name)) ? Optional.of(Path.of(name)) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator
                + System.getProperty("user.home") + "/.cargo/bin";
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
