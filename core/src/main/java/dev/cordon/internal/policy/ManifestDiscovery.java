package dev.cordon.internal.policy;

import dev.cordon.RunnerInvocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the Cargo manifest whose {@code [workspace.metadata.cordon]} (or {@code [package.metadata.cordon]})
 * is the policy of a call that names no policy file.
 *
 * <p>For a build script or a run, the manifest is {@code Cargo.toml} in the folder that holds the target
 * dir: Cargo puts {@code target} in the workspace root, and every build script and run of one build shares
 * that target dir, so all of them get the same policy (a dependency's script in the registry as much as a
 * member's). A target dir elsewhere ({@code CARGO_TARGET_DIR}, {@code --target-dir}) has no workspace next
 * to it: then no manifest is found, and {@code CORDON_POLICY = Cargo.toml} names it. Guessing from the
 * package being built would give a member's script the workspace's policy and a dependency's the defaults.
 *
 * <p>A dependency's own manifest is never a policy (what it declares is only shown, never granted).
 * A manifest owned by another user (not root), or writable by everyone, is not used either: on a shared
 * machine a target dir under {@code /tmp} must not pick up a {@code /tmp/Cargo.toml} someone else wrote.
 */
public final class ManifestDiscovery {
    private ManifestDiscovery() {
    }

    /**
     * {@return the root manifest of the workspace a build script or run belongs to, when it is trusted}
     *
     * @param invocation the decoded call
     */
    public static Optional<Path> rootManifest(RunnerInvocation invocation) {
        Optional<Path> target = invocation.targetDir();
        if (target.isEmpty()) {
            return Optional.empty();
        }
        Path root = target.get().toAbsolutePath().normalize().getParent();
        return root == null ? Optional.empty() : trusted(root.resolve("Cargo.toml"));
    }

    /**
     * Finds the root manifest above a directory the way Cargo does for a command typed there: the nearest
     * {@code Cargo.toml}, or, when a manifest further up has a {@code [workspace]} table, that one. For
     * {@code check} and {@code explain}, which run in the user's workspace rather than under Cargo.
     *
     * @param directory the working directory
     * @return the trusted root manifest, or empty
     */
    public static Optional<Path> rootManifestAbove(Path directory) {
        Path nearest = null;
        for (Path dir = directory.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            Path manifest = dir.resolve("Cargo.toml");
            if (!Files.isRegularFile(manifest)) {
                continue;
            }
            if (nearest == null) {
                nearest = manifest;
            }
            if (hasWorkspaceTable(manifest)) {
                return trusted(manifest);
            }
        }
        return nearest == null ? Optional.empty() : trusted(nearest);
    }

    private static boolean hasWorkspaceTable(Path manifest) {
        try {
            for (String line : Files.readAllLines(manifest)) {
                String t = line.strip();
                if (t.equals("[workspace]") || t.startsWith("[workspace.") || t.startsWith("[workspace]")) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /**
     * {@return the manifest when it is a regular file owned by this process's user or root and not writable by
     * everyone; empty otherwise}
     *
     * @param manifest a candidate
     */
    static Optional<Path> trusted(Path manifest) {
        try {
            if (!Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(manifest)) {
                return Optional.empty();
            }
            Path real = manifest.toRealPath();
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(real);
            if (!ownedBySelfOrRoot(real) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                return Optional.empty();
            }
            return Optional.of(manifest.toAbsolutePath().normalize());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return Optional.empty();
        }
    }

    private static boolean ownedBySelfOrRoot(Path file) throws IOException {
        int owner = (Integer) Files.getAttribute(file, "unix:uid");
        if (owner == 0) {
            return true;
        }
        Path self = Path.of("/proc/self");
        if (Files.exists(self)) {
            return owner == (Integer) Files.getAttribute(self, "unix:uid");
        }
        // macOS has no /proc: compare names.
        return Files.getOwner(file).getName().equals(System.getProperty("user.name"));
    }
}
