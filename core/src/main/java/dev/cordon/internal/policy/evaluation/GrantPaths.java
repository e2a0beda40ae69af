package dev.cordon.internal.policy.evaluation;

import dev.cordon.RunnerInvocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
     * The folder a run's target dir is in, when the package lies under it (so a test can read the workspace's
     * fixtures); empty when the target dir is elsewhere, or when that folder is {@code $HOME} or above it
     * (putting it back would show the whole home directory).
     *
     * @param invocation a run
     * @return the folder, or empty
     */
    public static Optional<Path> runWorkspaceRoot(RunnerInvocation invocation) {
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

    /**
     * Cargo's home as the build script's Cargo would use it: {@code CARGO_HOME} when it is an absolute
     * path, else {@code $HOME/.cargo}.
     *
     * @param invocation the invocation
     * @return the directory, or empty when neither is known
     */
    public static Optional<Path> cargoHome(RunnerInvocation invocation) {
        String value = invocation.environment().get("CARGO_HOME");
        if (value != null && value.startsWith("/")) {
            return Optional.of(Path.of(value).normalize());
        }
        return home(invocation).map(h -> h.resolve(".cargo").normalize());
    }

    /**
     * The credential files every grant hides: those under {@code $HOME} (SSH keys, cloud and registry
     * tokens...) and Cargo's registry tokens under {@code CARGO_HOME}, wherever that points (it need
     * not be under {@code $HOME}).
     *
     * @param invocation the invocation
     * @return absolute, normalised paths; they may not exist
     */
    public static List<Path> secrets(RunnerInvocation invocation) {
        List<Path> secrets = new ArrayList<>();
        Optional<Path> home = home(invocation);
        if (home.isPresent()) {
            for (String s : DefaultPolicy.HOME_SECRETS) {
                secrets.add(home.get().resolve(s).normalize());
            }
        }
        Optional<Path> cargoHome = cargoHome(invocation);
        if (cargoHome.isPresent()) {
            for (String s : DefaultPolicy.CARGO_HOME_SECRETS) {
                Path p = cargoHome.get().resolve(s);
                if (!secrets.contains(p)) {
                    secrets.add(p);
                }
            }
        }
        return secrets;
    }

    /**
     * The root of the Cargo workspace the package is a member of, when it is a local package of a
     * workspace (issue 12): its build script may read the workspace (a sibling's {@code .proto} files, the
     * root manifest). Found as Cargo finds it: the package's {@code package.workspace} key, else the nearest
     * directory above the package whose {@code Cargo.toml} has a {@code [workspace]} table. A package from
     * a registry or a vendored directory (it carries {@code Cargo.toml.orig} or {@code .cargo-checksum.json})
     * or from Cargo's home (registry sources, git checkouts) belongs to no workspace of the user's and gets
     * none.
     *
     * @param invocation the invocation
     * @return the workspace root, when it is not the package itself; empty otherwise
     */
    public static Optional<Path> workspaceRoot(RunnerInvocation invocation) {
        Path pkg = invocation.manifestDir().toAbsolutePath().normalize();
        if (Files.exists(pkg.resolve("Cargo.toml.orig")) || Files.exists(pkg.resolve(".cargo-checksum.json"))) {
            return Optional.empty();
        }
        Optional<Path> cargoHome = cargoHome(invocation);
        if (cargoHome.isPresent() && pkg.startsWith(cargoHome.get())) {
            return Optional.empty();
        }
        List<String> manifest = lines(pkg.resolve("Cargo.toml"));
        Optional<String> explicit = packageWorkspaceKey(manifest);
        if (explicit.isPresent()) {
            Path root = pkg.resolve(explicit.get()).normalize();
            return root.equals(pkg) || !hasWorkspaceTable(lines(root.resolve("Cargo.toml"))) ? Optional.empty()
                    : Optional.of(root);
        }
        if (hasWorkspaceTable(manifest)) {
            return Optional.empty();
        }
        Optional<Path> home = home(invocation).map(h -> h.toAbsolutePath().normalize());
        for (Path dir = pkg.getParent(); dir != null; dir = dir.getParent()) {
            if (hasWorkspaceTable(lines(dir.resolve("Cargo.toml")))) {
                // A workspace spanning the whole home directory (or machine) is not one to open wholesale.
                return dir.getParent() == null || home.filter(dir::equals).isPresent() ? Optional.empty()
                        : Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    private static boolean hasWorkspaceTable(List<String> manifest) {
        for (String line : manifest) {
            String t = line.strip();
            if (t.equals("[workspace]") || t.startsWith("[workspace.") || t.startsWith("[workspace]")) {
                return true;
            }
        }
        return false;
    }

    /** The {@code workspace = "..."} key of the {@code [package]} table, when present. */
    private static Optional<String> packageWorkspaceKey(List<String> manifest) {
        boolean inPackage = false;
        for (String line : manifest) {
            String t = line.strip();
            if (t.startsWith("[")) {
                inPackage = t.equals("[package]");
            } else if (inPackage && t.startsWith("workspace") && t.substring("workspace".length()).strip().startsWith("=")) {
                String value = t.substring(t.indexOf('=') + 1).strip();
                if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
                    int end = value.indexOf(value.charAt(0), 1);
                    if (end > 0) {
                        return Optional.of(value.substring(1, end));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
