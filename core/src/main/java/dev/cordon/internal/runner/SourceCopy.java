package dev.cordon.internal.runner;

import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Source mode {@code copy}: a fresh, private copy of the package directory that the build script runs
 * against, so a script that writes into its own sources leaves the original untouched.
 *
 * <p>The copy lives at {@code cordon-src} next to the grant's temporary directory (inside Cargo's build
 * directory for the script), is replaced on every run, and skips the target directory when the package
 * root contains it.
 */
final class SourceCopy {
    static final String FOLDER = "cordon-src";

    private SourceCopy() {
    }

    /** {@return where the copy of this run goes} */
    static Path location(Grant grant) {
        Path tmp = grant.temporaryDirectory().toAbsolutePath().normalize();
        Path parent = tmp.getParent();
        return (parent == null ? tmp : parent).resolve(FOLDER);
    }

    /**
     * Copies the package directory and returns the invocation as if Cargo had called it there: working
     * directory, {@code CARGO_MANIFEST_DIR} and {@code CARGO_MANIFEST_PATH} point into the copy.
     *
     * @throws SandboxException when the copy cannot be made
     */
    static RunnerInvocation make(RunnerInvocation invocation, Grant grant) {
        Path source = invocation.manifestDir().toAbsolutePath().normalize();
        Path copy = location(grant);
        try {
            Trees.delete(copy);
            Files.createDirectories(copy.getParent());
            copyTree(source, copy, invocation.targetDir());
        } catch (IOException e) {
            throw new SandboxException("cannot copy the package directory " + source + " of crate '"
                    + invocation.crateName() + "' to " + copy + " (source = \"copy\"): " + e.getMessage()
                    + " (free some disk space, or use source = \"read-only\")", ExitCodes.SANDBOX_FAILED, e);
        }
        return relocate(invocation, grant);
    }

    /**
     * The invocation as if Cargo had called it in the copy (working directory, {@code CARGO_MANIFEST_DIR} and
     * {@code CARGO_MANIFEST_PATH} moved), without copying anything: what {@code explain} shows.
     */
    static RunnerInvocation relocate(RunnerInvocation invocation, Grant grant) {
        Path source = invocation.manifestDir().toAbsolutePath().normalize();
        Path copy = location(grant);
        Map<String, String> env = new HashMap<>(invocation.environment());
        env.put("CARGO_MANIFEST_DIR", copy.toString());
        String manifestPath = env.get("CARGO_MANIFEST_PATH");
        if (manifestPath != null && Path.of(manifestPath).startsWith(source)) {
            env.put("CARGO_MANIFEST_PATH", copy.resolve(source.relativize(Path.of(manifestPath))).toString());
        }
        Path cwd = invocation.workingDirectory().toAbsolutePath().normalize();
        Path newCwd = cwd.startsWith(source) ? copy.resolve(source.relativize(cwd)) : copy;
        return new RunnerInvocation(invocation.kind(), invocation.program(), invocation.arguments(), newCwd, env);
    }

    private static void copyTree(Path source, Path copy, Optional<Path> targetDir) throws IOException {
        Path skipTarget = targetDir.map(t -> t.toAbsolutePath().normalize()).orElse(null);
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                // Never copy the target dir (which holds the copy itself when the package is the workspace).
                if (!dir.equals(source) && (dir.equals(skipTarget) || dir.equals(copy))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(copy.resolve(source.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, copy.resolve(source.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

}
