package dev.cordon.internal.directives;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a directive may point the linker and rustc: the script's own {@code OUT_DIR}, the target dir (other
 * crates' outputs, e.g. a {@code -sys} crate's {@code DEP_*_ROOT}), the crate's own package directory
 * (prebuilt libraries shipped in the package), and the system's library directories. Everything there is
 * either written by Cargo and build scripts of this build or world-readable system files; a path elsewhere
 * (a home directory, {@code /tmp}, the workspace) could make the linker read files the sandbox hides, or
 * load libraries the script planted outside its output.
 *
 * @param roots the directories, absolute and normalised
 */
public record SearchRoots(List<Path> roots) {

    /** System library directories (and their subdirectories, such as the multiarch ones). */
    public static final List<Path> SYSTEM = List.of(Path.of("/lib"), Path.of("/lib32"), Path.of("/lib64"),
            Path.of("/libx32"), Path.of("/usr/lib"), Path.of("/usr/lib32"), Path.of("/usr/lib64"),
            Path.of("/usr/libx32"), Path.of("/usr/local/lib"), Path.of("/usr/local/lib64"),
            Path.of("/opt/homebrew/lib"), Path.of("/opt/homebrew/opt"), Path.of("/opt/homebrew/Cellar"),
            Path.of("/usr/local/opt"), Path.of("/usr/local/Cellar"), Path.of("/opt/local/lib"),
            Path.of("/Library/Frameworks"), Path.of("/System/Library/Frameworks"), Path.of("/nix/store"),
            Path.of("/gnu/store"));

    /** Copies the list. */
    public SearchRoots {
        roots = List.copyOf(roots);
    }

    /**
     * {@return the roots of one run}
     *
     * @param outDir {@code OUT_DIR}, if known
     * @param targetDir the target dir, if known
     * @param packageDir the crate's package directory
     */
    public static SearchRoots of(Optional<Path> outDir, Optional<Path> targetDir, Path packageDir) {
        List<Path> roots = new ArrayList<>();
        outDir.ifPresent(p -> roots.add(p.toAbsolutePath().normalize()));
        targetDir.ifPresent(p -> roots.add(p.toAbsolutePath().normalize()));
        roots.add(packageDir.toAbsolutePath().normalize());
        roots.addAll(SYSTEM);
        return new SearchRoots(roots);
    }

    /**
     * Checks a path a directive names.
     *
     * @param text the path as printed
     * @return why it is refused, or empty when it lies under a root
     */
    Optional<String> refusal(String text) {
        if (text.isEmpty()) {
            return Optional.of("an empty path");
        }
        if (text.indexOf('\0') >= 0) {
            return Optional.of("a path with a NUL character");
        }
        if (!text.startsWith("/")) {
            return Optional.of("the relative path \"" + text + "\" resolves against rustc's working directory, "
                    + "outside the script's output");
        }
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            return Optional.of("\"" + text + "\" is not a valid path");
        }
        for (Path part : path) {
            if (part.toString().equals("..")) {
                return Optional.of("the path \"" + text + "\" climbs with '..'");
            }
        }
        Path normal = path.normalize();
        for (Path root : roots) {
            if (normal.startsWith(root)) {
                return Optional.empty();
            }
        }
        return Optional.of("\"" + text + "\" is outside OUT_DIR, the target dir, the package and the system library"
                + " directories, so the linker could read files the sandbox hides");
    }
}
