package dev.cordon.internal.runner;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The paths that stand for a package's files in a {@code rerun-if-changed} list, for a build script that
 * printed none: Cargo then re-runs it when any file of its package changes, and one printed line would
 * narrow that to the listed paths. Listing these keeps Cargo's rule, or a wider one, never a narrower one.
 *
 * <p>The package directory is walked once. Left out, as Cargo leaves them out: {@code .git}, nested packages
 * (folders with their own {@code Cargo.toml}), and Cargo's output (a folder holding {@code CACHEDIR.TAG}, and
 * the folder of the package that holds the target dir): these change on every build, and Cargo scans a listed
 * folder recursively by modification time, so listing one would make every build re-run the script. A folder
 * with nothing left out below it is listed as one path; the others are opened, down to their files.
 *
 * <p>A package Cargo unpacked from a registry, a vendored directory or a git checkout (its root holds
 * {@code .cargo-ok} or {@code .cargo-checksum.json}) gets no list: Cargo never re-runs their build scripts
 * for a file change, as their files do not change.
 */
final class PackageFiles {
    private static final int MOST = 4096;

    private PackageFiles() {
    }

    /**
     * @param packageDir the package root ({@code CARGO_MANIFEST_DIR})
     * @param outputs Cargo's output folders that may lie inside it (the target dir, the build dir)
     * @return the paths to list (none for a package Cargo never re-runs on file changes), or empty when no list
     *     can be made (a name with a line break, an unreadable folder, more than 4096 paths): then the caller
     *     must print no {@code rerun-if} line at all, which keeps Cargo's own rule
     */
    static Optional<List<Path>> of(Path packageDir, List<Path> outputs) {
        if (Files.exists(packageDir.resolve(".cargo-ok")) || Files.exists(packageDir.resolve(".cargo-checksum.json"))) {
            return Optional.of(List.of());
        }
        List<Path> skipped = new ArrayList<>();
        for (Path output : outputs) {
            Path o = output.toAbsolutePath().normalize();
            if (o.startsWith(packageDir) && !o.equals(packageDir)) {
                skipped.add(packageDir.resolve(packageDir.relativize(o).getName(0)));
            }
        }
        try {
            Files.walkFileTree(packageDir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (dir.equals(packageDir)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (skipped.contains(dir) || dir.getFileName().toString().equals(".git")
                            || Files.exists(dir.resolve("Cargo.toml")) || Files.exists(dir.resolve("CACHEDIR.TAG"))) {
                        skipped.add(dir);
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            List<Path> listed = new ArrayList<>();
            add(packageDir, skipped, listed);
            for (Path p : listed) {
                String s = p.toString();
                if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                    return Optional.empty(); // it would end the directive line early
                }
            }
            return listed.size() > MOST ? Optional.empty() : Optional.of(listed);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void add(Path dir, List<Path> skipped, List<Path> listed) throws IOException {
        if (skipped.contains(dir)) {
            return;
        }
        boolean opened = false;
        for (Path s : skipped) {
            if (s.startsWith(dir)) {
                opened = true;
                break;
            }
        }
        if (!opened) {
            listed.add(dir);
            return;
        }
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.sorted().toList();
        }
        for (Path child : children) {
            if (Files.isDirectory(child, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                add(child, skipped, listed);
            } else {
                listed.add(child);
            }
        }
    }
}
