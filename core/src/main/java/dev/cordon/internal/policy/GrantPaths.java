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
        if (invocation.kind() == RunnerInvocation.Kind.RUN) {
            // One per executable (its file name carries Cargo's hash): cargo test runs each binary once.
            String name = "cordon-run-" + invocation.program().getFileName().toString().replaceAll("[^A-Za-z0-9_.-]", "_");
            return runScratch(invocation).map(d -> d.resolve(name))
                    .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"), name));
        }
        return invocation.buildDir().map(d -> d.resolve("cordon-tmp")).orElseGet(() -> Path
                .of(System.getProperty("java.io.tmpdir"), "cordon-" + invocation.crateName().replaceAll(
                        "[^A-Za-z0-9_.-]", "_")));
    }

    /**
     * The scratch folder Cargo gives tests in the target dir, {@code <target>/tmp} (what
     * {@code CARGO_TARGET_TMPDIR} names at compile time): the one part of the target dir a run may write.
     *
     * @param invocation a run
     * @return the folder, or empty when the target dir is unknown
     */
    public static Optional<Path> runScratch(RunnerInvocation invocation) {
        return invocation.targetDir().map(t -> t.resolve("tmp"));
    }

    /**
     * The workspace root of a run: the parent of the target dir, when the package lies under it (so a test
     * can read the workspace's fixtures); empty when the target dir is elsewhere, or when that folder is
     * {@code $HOME} or above it (putting it back would show the whole home directory).
     *
     * @param invocation a run
     * @return the folder, or empty
     */
    public static Optional<Path> workspaceRoot(RunnerInvocation invocation) {
        Path manifest = invocation.manifestDir().toAbsolutePath().normalize();
        return invocation.targetDir().map(t -> t.toAbsolutePath().normalize().getParent())
                .filter(root -> root != null && manifest.startsWith(root) && !holdsHome(invocation, root));
    }

    /**
     * The directory a run was started in ({@code cargo run} keeps the caller's, {@code cargo test} uses the
     * package root), unless it is {@code $HOME} or above it.
     *
     * @param invocation a run
     * @return the folder, or empty
     */
    public static Optional<Path> runDirectory(RunnerInvocation invocation) {
        Path cwd = invocation.workingDirectory().toAbsolutePath().normalize();
        return holdsHome(invocation, cwd) ? Optional.empty() : Optional.of(cwd);
    }

    /** True for {@code /}, {@code $HOME} and the folders between: putting one back would show all of home. */
    private static boolean holdsHome(RunnerInvocation invocation, Path dir) {
        return dir.getParent() == null
                || home(invocation).map(h -> h.toAbsolutePath().normalize().startsWith(dir)).orElse(false);
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
