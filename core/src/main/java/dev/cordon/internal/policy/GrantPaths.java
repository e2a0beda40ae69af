package dev.cordon.internal.policy;

import dev.cordon.RunnerInvocation;
import java.nio.file.Path;
import java.util.Optional;

/** Paths every grant derives from an invocation. */
public final class GrantPaths {
    private GrantPaths() {
    }

    /**
     * The private temporary directory of one build-script run: {@code cordon-tmp} next to
     * {@code OUT_DIR} (inside the target dir, so it is on the same filesystem, survives for debugging and
     * is cleaned by {@code cargo clean}); without {@code OUT_DIR}, a folder under the system temp dir
     * named after the crate.
     *
     * @param invocation the invocation
     * @return the directory; it may not exist yet
     */
    public static Path temporaryDirectory(RunnerInvocation invocation) {
        return invocation.buildDir().map(d -> d.resolve("cordon-tmp")).orElseGet(() -> Path
                .of(System.getProperty("java.io.tmpdir"), "cordon-" + invocation.crateName().replaceAll(
                        "[^A-Za-z0-9_.-]", "_")));
    }

    /**
     * The user's home directory as the build script would see it: {@code HOME} from Cargo's
     * environment, else the JVM's {@code user.home}.
     *
     * @param invocation the invocation
     * @return the home directory, or empty when unknown
     */
    public static Optional<Path> home(RunnerInvocation invocation) {
        String home = invocation.environment().get("HOME");
        if (home == null || home.isEmpty()) {
            home = System.getProperty("user.home");
        }
        return home == null || home.isEmpty() ? Optional.empty() : Optional.of(Path.of(home));
    }
}
