package dev.cordon.internal.cache;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The file operations Cordon's caches share (compiled policies, discovery entries, the plan daemon's
 * class-path check): reading, atomic writing, pruning, and stamping a file so that a change is noticed.
 *
 * <p>Reads and writes use plain {@link FileInputStream}s and {@link FileOutputStream}s: NIO file
 * channels cost a fresh JVM about a millisecond to set up, and these run on every build script's path.
 */
public final class CacheFiles {
    /** How long an entry nobody rewrote is kept: a moved, renamed or deleted input leaves one behind. */
    public static final Duration KEEP = Duration.ofDays(90);

    private CacheFiles() {
    }

    /**
     * {@return a whole file's bytes}
     *
     * @param file the file
     * @throws IOException when it cannot be read
     */
    public static byte[] read(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return in.readAllBytes();
        }
    }

    /**
     * Writes a cache entry whole or not at all: into a temporary file of its own (unique per process and
     * thread, so runners and daemon threads writing the same entry cannot mix their bytes), then renamed
     * over the entry. Creates the cache folder, mode 0700, when it is missing.
     *
     * @param file the entry
     * @param content its bytes
     * @throws IOException when it cannot be written (callers treat that as a cache that only costs speed)
     */
    public static void writeAtomically(Path file, byte[] content) throws IOException {
        createPrivateDirectory(file.getParent());
        Path temp = file.resolveSibling(new StringBuilder(file.getFileName().toString()).append('.')
                .append(ProcessHandle.current().pid()).append('-').append(Thread.currentThread().threadId())
                .append(".tmp").toString());
        try {
            try (FileOutputStream out = new FileOutputStream(temp.toFile())) {
                out.write(content);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Deletes a folder's entries of one kind not written for {@link #KEEP}. Call it only after writing an
     * entry (a slow path already), never on a read; an entry still in use that is deleted is rebuilt.
     *
     * @param dir the cache folder
     * @param prefix the kind of entry, e.g. {@code "policy-"}
     */
    public static void prune(Path dir, String prefix) {
        long oldest = System.currentTimeMillis() - KEEP.toMillis();
        try (var entries = Files.newDirectoryStream(dir, prefix + "*")) {
            for (Path entry : entries) {
                try {
                    if (Files.isRegularFile(entry) && Files.getLastModifiedTime(entry).toMillis() < oldest) {
                        Files.deleteIfExists(entry);
                    }
                } catch (IOException e) {
                    // another runner pruned it first, or it is not ours to delete: leave it
                }
            }
        } catch (IOException | RuntimeException e) {
            // pruning only saves space
        }
    }

    /**
     * Creates a cache folder, mode 0700 where the file system has POSIX permissions.
     *
     * @param dir the folder
     * @throws IOException when it cannot be created
     */
    public static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions
                    .fromString("rwx------")));
        } else {
            Files.createDirectories(dir);
        }
    }

    /**
     * {@return size, modification time (ns) and inode of a file, or "missing - -": what changes when a jar
     * is rebuilt or replaced; one line, three words}
     *
     * @param file the file
     */
    public static String stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            Object key = attributes.fileKey();
            return attributes.size() + " " + attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS) + " "
                    + (key == null ? "-" : key.toString().replace(' ', '_'));
        } catch (IOException e) {
            return "missing - -";
        }
    }
}
