package dev.cordon.sandbox.macos.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The path forms a Seatbelt rule must name.
 *
 * <p>Seatbelt compares a rule's path with the path the kernel resolved, with symbolic links followed.
 * On macOS {@code /tmp}, {@code /var} and {@code /etc} are links into {@code /private}, and a user's
 * {@code TMPDIR} lives under {@code /private/var/folders}. A rule for {@code /tmp/x} alone would
 * therefore never match; a rule names both the path as given and its resolved form when they differ.
 *
 * <p>The resolution has two layers: fixed string rules that hold on every macOS (so that profiles
 * planned and tested on Linux come out as they would on a Mac), and, on a Mac, the file system's own
 * answer ({@link Path#toRealPath}) for the nearest existing ancestor, which also follows links the
 * string rules do not know about.
 */
final class MacPaths {

    /** What a path names, when that is known. */
    enum Kind {
        /** An existing directory. */
        DIRECTORY,
        /** An existing file that is not a directory. */
        FILE,
        /** Missing, unreadable, or not looked at. */
        UNKNOWN
    }

    private static final List<String> PRIVATE_LINKS = List.of("/tmp", "/var", "/etc");

    private final UnaryOperator<Path> realPath;
    private final Function<Path, Kind> kinds;

    MacPaths(UnaryOperator<Path> realPath, Function<Path, Kind> kinds) {
        this.realPath = realPath;
        this.kinds = kinds;
    }

    /** {@return string rules only; every kind unknown. Deterministic on any OS.} */
    static MacPaths stringRulesOnly() {
        return new MacPaths(UnaryOperator.identity(), p -> Kind.UNKNOWN);
    }

    /** {@return string rules plus what this machine's file system says} */
    static MacPaths fileSystem() {
        return new MacPaths(MacPaths::realPathOfNearestAncestor, MacPaths::kindOnDisk);
    }

    /**
     * {@return the forms a rule for this path must name: the path as given, then the resolved forms that
     * differ from it; never empty}
     *
     * @param path an absolute, normalised path
     */
    List<String> forms(Path path) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(path.toString());
        forms.add(privateForm(path.toString()));
        Path real = realPath.apply(path);
        forms.add(real.toString());
        forms.add(privateForm(real.toString()));
        return List.copyOf(forms);
    }

    /** {@return what the path names} @param path an absolute path */
    Kind kind(Path path) {
        return kinds.apply(path);
    }

    /**
     * Applies macOS's fixed links: {@code /tmp}, {@code /var} and {@code /etc} (and what is under them)
     * live under {@code /private}.
     *
     * @param path an absolute path as a string
     * @return the path under {@code /private}, or {@code path} itself when no rule applies
     */
    static String privateForm(String path) {
        for (String link : PRIVATE_LINKS) {
            if (path.equals(link) || path.startsWith(link + "/")) {
                return "/private" + path;
            }
        }
        return path;
    }

    /**
     * {@return whether {@code path} is {@code ancestor} or lies below it, comparing every form of both}
     *
     * @param path a path
     * @param ancestor a possible ancestor
     */
    boolean isWithin(Path path, Path ancestor) {
        for (String p : forms(path)) {
            for (String a : forms(ancestor)) {
                if (Path.of(p).startsWith(Path.of(a))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Path realPathOfNearestAncestor(Path path) {
        List<Path> missing = new ArrayList<>();
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            missing.add(existing.getFileName());
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            Path real = existing.toRealPath();
            for (int i = missing.size() - 1; i >= 0; i--) {
                real = real.resolve(missing.get(i));
            }
            return real;
        } catch (IOException | SecurityException e) {
            // Unresolvable (e.g. no permission to search a parent): the string rules still apply.
            return path;
        }
    }

    private static Kind kindOnDisk(Path path) {
        try {
            if (Files.isDirectory(path)) {
                return Kind.DIRECTORY;
            }
            return Files.exists(path) ? Kind.FILE : Kind.UNKNOWN;
        } catch (SecurityException e) {
            return Kind.UNKNOWN;
        }
    }
}
