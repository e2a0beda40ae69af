package dev.cordon.sandbox.bwrap.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The filesystem layout of one sandbox, built in layers and rendered as {@code bwrap} options in the
 * order the kernel must apply them.
 *
 * <p>Order is the whole point: bwrap applies mounts left to right, so a later mount covers an earlier
 * one. The layers are (1) empty private directories ({@code /tmp}, {@code $HOME}, ...), (2) read-only
 * put-backs, (3) writable binds, (4) hidden paths, (5) the empty directories of (1) and (4) remounted
 * read-only, so nothing written there is silently lost. Within a layer, parents come before children. A
 * project under {@code /tmp} therefore reappears after the private {@code /tmp} hides it.
 *
 * <p>Paths are resolved to their real location first (a symlinked {@code $HOME} or {@code ~/.ssh} must
 * be covered where it really is); paths that do not exist are skipped, since bwrap can only bind what
 * exists.
 */
final class MountTable {
    /** The empty private directories {@link #toArguments} made, to remount read-only at the very end. */
    private final List<Path> remounts = new ArrayList<>();


    private final Set<Path> privateDirs = new LinkedHashSet<>();
    /** Private directories everyone may write (a sticky {@code /tmp} for a sandbox user that is not root). */
    private final Set<Path> sharedPrivateDirs = new LinkedHashSet<>();
    /** Directories created inside a private directory on the way to a put-back, open to every user. */
    private final Set<Path> openDirs = new LinkedHashSet<>();
    private final Set<Path> readOnly = new LinkedHashSet<>();
    private final Set<Path> writable = new LinkedHashSet<>();
    private final Set<Path> hidden = new LinkedHashSet<>();
    private final List<String> skipped = new ArrayList<>();

    /**
     * Adds an empty private directory over a path (skipped for {@code /} and for paths that are not
     * directories).
     */
    void privateDirectory(Path path) {
        Path real = real(path);
        if (real != null && real.getParent() != null && Files.isDirectory(real)) {
            privateDirs.add(real);
        }
    }

    /**
     * Adds an empty private directory that every user may write, like {@code /tmp} (mode 1777): the
     * sandbox's user is not the one that creates the directory when a root runner drops to another user.
     */
    void sharedPrivateDirectory(Path path) {
        Path real = real(path);
        if (real != null && real.getParent() != null && Files.isDirectory(real)) {
            privateDirs.add(real);
            sharedPrivateDirs.add(real);
        }
    }

    /**
     * Covers every directory above a mounted path that users other than its owner cannot enter (such as
     * {@code /root}, mode 0700) with an empty private directory, so that a sandbox user who is not the
     * directory's owner can still reach what is put back below it; everything else in that directory stays
     * hidden. Inside a private directory, every directory on the way to a put-back is made open to every
     * user.
     */
    void coverUnreachableAncestors() {
        List<Path> mounted = new ArrayList<>(readOnly);
        mounted.addAll(writable);
        for (Path p : mounted) {
            for (Path ancestor = p.getParent(); ancestor != null && ancestor.getParent() != null;
                    ancestor = ancestor.getParent()) {
                if (!underAny(ancestor, privateDirs) && !othersMayEnter(ancestor)) {
                    privateDirs.add(ancestor);
                }
            }
        }
        // Inside a private directory bwrap makes a mount point's missing parents itself, mode 0700 and owned by
        // root: make each one first, open to every user.
        for (Path p : mounted) {
            for (Path ancestor = p.getParent(); ancestor != null && ancestor.getParent() != null;
                    ancestor = ancestor.getParent()) {
                if (underAny(ancestor, privateDirs) && !privateDirs.contains(ancestor) && !underAny(ancestor, readOnly)
                        && !underAny(ancestor, writable)) {
                    openDirs.add(ancestor);
                }
            }
        }
    }

    private static boolean othersMayEnter(Path dir) {
        try {
            return Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return true;
        }
    }

    /** {@return the writable paths as mounted (real paths that exist), parents first} */
    List<Path> writablePaths() {
        return ordered(writable);
    }

    /** Puts a path back read-only; returns false (and remembers why) when it does not exist. */
    boolean readOnly(Path path, String why) {
        return add(readOnly, path, why);
    }

    /** Makes a path writable; returns false (and remembers why) when it does not exist. */
    boolean writable(Path path, String why) {
        return add(writable, path, why);
    }

    /** Hides a path; a path that does not exist, or that the sandbox cannot see anyway, is skipped. */
    void hidden(Path path) {
        Path real = real(path);
        if (real != null) {
            hidden.add(real);
        }
    }

    /** {@return remarks about paths that were asked for but could not be mounted} */
    List<String> skipped() {
        return List.copyOf(skipped);
    }

    private boolean add(Set<Path> layer, Path path, String why) {
        Path real = real(path);
        if (real == null) {
            if (why != null) {
                skipped.add(why + " " + path + " does not exist; not mounted");
            }
            return false;
        }
        layer.add(real);
        return true;
    }

    /** Renders the layers as bwrap options. */
    List<String> toArguments() {
        List<String> args = new ArrayList<>();
        for (Path p : ordered(privateDirs)) {
            if (sharedPrivateDirs.contains(p)) {
                args.add("--perms");
                args.add("01777");
            }
            args.add("--tmpfs");
            args.add(p.toString());
        }
        for (Path p : ordered(openDirs)) {
            args.add("--perms");
            args.add("0755");
            args.add("--dir");
            args.add(p.toString());
        }
        for (Path p : ordered(readOnly)) {
            if (needsBind(p)) {
                args.add("--ro-bind");
                args.add(p.toString());
                args.add(p.toString());
            }
        }
        for (Path p : ordered(writable)) {
            args.add("--bind");
            args.add(p.toString());
            args.add(p.toString());
        }
        List<Path> emptyDirs = new ArrayList<>(ordered(privateDirs));
        for (Path p : ordered(hidden)) {
            if (!visible(p)) {
                continue;
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                args.add("--tmpfs");
                args.add(p.toString());
                emptyDirs.add(p);
            } else {
                args.add("--ro-bind");
                args.add("/dev/null");
                args.add(p.toString());
            }
        }
        remounts.clear();
        remounts.addAll(emptyDirs);
        return List.copyOf(args);
    }

    /**
     * The steps that make the private empty directories read-only, to come last, once every bind inside
     * them is in place (the table's own and any the planner adds later): a write there then fails (EROFS)
     * instead of vanishing with the tmpfs when the sandbox ends. bwrap's remount is not recursive: OUT_DIR,
     * the temporary directory and granted paths bound inside stay writable. Valid after {@link #toArguments}.
     *
     * @return the bwrap arguments
     */
    List<String> remountArguments() {
        List<String> args = new ArrayList<>();
        for (Path p : remounts) {
            args.add("--remount-ro");
            args.add(p.toString());
        }
        return args;
    }

    /**
     * A read-only put-back is only needed where a private directory covers the path: elsewhere the
     * read-only root already shows it, and writable binds (which could cover it) come later anyway.
     */
    private boolean needsBind(Path p) {
        return underAny(p, privateDirs);
    }

    /** Tells whether the sandbox shows a path at all: not under a private directory, or put back. */
    private boolean visible(Path p) {
        return !underAny(p, privateDirs) || underAny(p, readOnly) || underAny(p, writable);
    }

    private static boolean underAny(Path p, Set<Path> roots) {
        for (Path root : roots) {
            if (p.startsWith(root)) {
                return true;
            }
        }
        return false;
    }

    /** Parents before children (fewer name elements first), then by name, so the order is stable. */
    private static List<Path> ordered(Set<Path> paths) {
        List<Path> sorted = new ArrayList<>(paths);
        sorted.sort(BY_DEPTH);
        return sorted;
    }

    private static final Comparator<Path> BY_DEPTH = new Comparator<>() {
        @Override
        public int compare(Path a, Path b) {
            int depth = Integer.compare(a.getNameCount(), b.getNameCount());
            return depth != 0 ? depth : a.toString().compareTo(b.toString());
        }
    };

    private static Path real(Path path) {
        if (!path.isAbsolute()) {
            return null;
        }
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return null;
        }
    }
}
