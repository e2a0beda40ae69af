package dev.cordon.internal.policy;

import dev.cordon.spi.CacheDirectory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The compiled-policy cache: one file per (policy bytes, policy path, format version), named by their
 * SHA-256. Entries are written atomically (temporary file, then rename), so build scripts that Cargo runs
 * in parallel may race to write the same entry harmlessly. A corrupt or unreadable entry is ignored and
 * rebuilt; a cache that cannot be written is skipped.
 *
 * <p>The folder is {@link CacheDirectory#path()}; it is created with mode 0700.
 */
public final class PolicyCache {
    private PolicyCache() {
    }

    /** {@return the cache folder ({@link CacheDirectory#path()}), or empty when none is known} */
    public static Optional<Path> directory() {
        return CacheDirectory.path();
    }

    /**
     * {@return the cache key of a policy file: hex SHA-256 of format version, absolute path and content}
     *
     * @param content the file's bytes
     * @param file the file's absolute, normalised path
     */
    public static String key(byte[] content, Path file) {
        // StringBuilder, not '+': indy string concatenation costs milliseconds to bootstrap in a fresh JVM.
        byte[] head = new StringBuilder("cordon-policy/").append(ModelCodec.FORMAT_VERSION).append('\0')
                .append(file).append('\0').toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + content.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        return Sha256.hex(all);
    }

    /**
     * {@return the cache file of a key}
     *
     * @param dir the cache folder
     * @param key a {@link #key}
     */
    public static Path entry(Path dir, String key) {
        return dir.resolve(new StringBuilder("policy-").append(key).append(".bin").toString());
    }

    /**
     * Reads a cached model.
     *
     * @param dir the cache folder
     * @param key the policy's key
     * @return the model, or empty when there is no usable entry
     */
    public static Optional<PolicyModel> read(Path dir, String key) {
        try {
            byte[] bytes = readFile(entry(dir, key));
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            int length = in.readInt();
            if (length < 0 || length != bytes.length - 4 - 32) {
                return Optional.empty();
            }
            byte[] payload = in.readNBytes(length);
            if (!java.util.Arrays.equals(in.readNBytes(32), Sha256.digest(payload))) {
                return Optional.empty();
            }
            return Optional.of(ModelCodec.decode(new DataInputStream(new ByteArrayInputStream(payload))));
        } catch (IOException | RuntimeException e) {
            // Missing, truncated or corrupt: compile again and overwrite.
            return Optional.empty();
        }
    }

    /**
     * Reads a whole file with a plain {@link FileInputStream}: NIO file channels cost a fresh JVM about a
     * millisecond to set up, and this runs on every build script's path.
     *
     * @param file the file
     * @return its bytes
     * @throws IOException when it cannot be read
     */
    public static byte[] readFile(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return in.readAllBytes();
        }
    }

    /**
     * Stores a model; failures are ignored (the next run compiles again).
     *
     * @param dir the cache folder
     * @param key the policy's key
     * @param model the validated model
     */
    public static void write(Path dir, String key, PolicyModel model) {
        Path tmp = null;
        try {
            createPrivateDirectory(dir);
            byte[] payload = ModelCodec.encode(model);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(payload.length + 36);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(payload.length);
            out.write(payload);
            // A checksum of the payload: a torn or corrupted entry is detected and rebuilt.
            out.write(Sha256.digest(payload));
            out.flush();
            tmp = Files.createTempFile(dir, "policy-", ".tmp");
            Files.write(tmp, bytes.toByteArray());
            try {
                Files.move(tmp, entry(dir, key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, entry(dir, key), StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            prune(dir, "policy-");
        } catch (IOException | RuntimeException e) {
            // A read-only or full cache folder must not fail the build: the policy was valid.
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }
    }

    /** How long an entry nobody rewrote is kept: a policy file moved, renamed or deleted leaves one behind. */
    static final java.time.Duration KEEP = java.time.Duration.ofDays(90);

    /**
     * Deletes this folder's entries of one kind not written for {@link #KEEP}; called only after writing
     * one (a slow path already), never on a read. An entry still in use that is deleted is simply rebuilt.
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
     * Creates the cache folder, mode 0700 where the file system has POSIX permissions.
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
}
