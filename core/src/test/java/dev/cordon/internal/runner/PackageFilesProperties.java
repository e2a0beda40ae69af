package dev.cordon.internal.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The package files listed for a build script that lists none: every file Cargo would watch is covered (a
 * listed file, or one inside a listed folder), and nothing that changes on every build is (Cargo's output, a
 * nested package, {@code .git}).
 */
class PackageFilesProperties {

    @Provide
    Arbitrary<List<String>> trees() {
        Arbitrary<String> segment = Arbitraries.of("src", "a", "target", ".git", "nested", "out");
        Arbitrary<String> file = Arbitraries.of("x.rs", "Cargo.toml", "CACHEDIR.TAG", "README");
        Arbitrary<String> path = segment.list().ofMaxSize(3).flatMap(dirs -> file.map(f -> {
            List<String> parts = new ArrayList<>(dirs);
            parts.add(f);
            return String.join("/", parts);
        }));
        return path.list().ofMaxSize(12);
    }

    @Property(tries = 60)
    void of_coversEveryWatchedFileAndNoOutputNestedPackageOrGit(@ForAll("trees") List<String> files,
            @ForAll boolean targetInside) throws IOException {
        Path root = Files.createTempDirectory("cordon-package-files").toRealPath();
        try {
            Files.writeString(root.resolve("Cargo.toml"), "[package]\n");
            for (String f : files) {
                try {
                    Files.createDirectories(root.resolve(f).getParent());
                    Files.writeString(root.resolve(f), f);
                } catch (IOException e) {
                    // a name already taken as a folder or a file: that tree just has one file less
                }
            }
            Path target = targetInside ? root.resolve("build-output/t") : root.resolveSibling("elsewhere");
            Files.createDirectories(target.resolve("debug"));
            Files.writeString(target.resolve("debug/artifact"), "changes on every build");
            List<Path> listed = PackageFiles.of(root, List.of(target)).orElseThrow();
            List<Path> all;
            try (Stream<Path> walk = Files.walk(root)) {
                all = walk.toList();
            }
            for (Path p : all) {
                if (excluded(root, p, target)) {
                    assertFalse(listed.stream().anyMatch(l -> p.startsWith(l) || l.startsWith(p)),
                            p + " changes on every build or is another package's, and is covered by " + listed);
                } else if (Files.isRegularFile(p)) {
                    assertTrue(listed.stream().anyMatch(p::startsWith), p + " is not covered by " + listed);
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            if (!targetInside) {
                try (Stream<Path> walk = Files.walk(root.resolveSibling("elsewhere"))) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    /** Cargo's output, a nested package or {@code .git}, or anything inside one. */
    private static boolean excluded(Path root, Path p, Path target) {
        for (Path q = p; q != null && q.startsWith(root) && !q.equals(root); q = q.getParent()) {
            if (q.startsWith(target) || q.equals(root.resolve("build-output")) || q.getFileName().toString()
                    .equals(".git") || Files.isRegularFile(q.resolve("Cargo.toml"))
                    || Files.isRegularFile(q.resolve("CACHEDIR.TAG"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void of_registryPackageGetsNoList() throws IOException {
        Path root = Files.createTempDirectory("cordon-package-files").toRealPath();
        Files.writeString(root.resolve(".cargo-ok"), "");
        Files.createDirectories(root.resolve("src"));
        assertEquals(List.of(), PackageFiles.of(root, List.of()).orElseThrow());
        Files.delete(root.resolve(".cargo-ok"));
        assertEquals(List.of(root), PackageFiles.of(root, List.of()).orElseThrow(), "a plain package is one folder");
        Files.delete(root.resolve("src"));
        Files.delete(root);
    }

    @Test
    void of_nameWithALineBreakGivesNoListRatherThanASecondDirective() throws IOException {
        Path root = Files.createTempDirectory("cordon-package-files").toRealPath();
        Path evil = root.resolve("x\ncargo:rustc-env=LD_PRELOAD=evil.so");
        Files.createDirectories(root.resolve("target"));
        Files.writeString(evil, "");
        assertTrue(PackageFiles.of(root, List.of(root.resolve("target"))).isEmpty());
        Files.delete(evil);
        Files.delete(root.resolve("target"));
        Files.delete(root);
    }
}
