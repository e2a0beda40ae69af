package dev.cordon.internal.policy.cache;

import dev.cordon.internal.cache.CacheFiles;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.spi.CacheDirectory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The compiled-policy cache: one file per (policy bytes, policy path, format version), named by their
 * SHA-256. Entries are written atomically (temporary file, then rename), so build scripts that Cargo runs
 * in parallel may race to write the same entry harmlessly. A corrupt or unreadable entry is ignored and
 * rebuilt; a cache that cannot be written is skipped.
 *
 * <p>The folder is {@link CacheDirectory#path()}; it is created with mode 0700. Entries not rewritten for
 * {@link CacheFiles#KEEP} are pruned whenever one is written.
 */
public final class PolicyCache {
    private PolicyCache() {
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
        return readEntry(dir, key).map(Entry::model);
    }

    /**
     * A cached model and the table of its file it came from.
     *
     * @param model the validated model
     * @param table e.g. {@code workspace.metadata.cordon} for a Cargo manifest; empty for a policy file
     */
    public record Entry(PolicyModel model, String table) {
    }

    /**
     * Reads a cached model with its table.
     *
     * @param dir the cache folder
     * @param key the policy's key
     * @return the entry, or empty when there is no usable entry
     */
    public static Optional<Entry> readEntry(Path dir, String key) {
        try {
            byte[] bytes = CacheFiles.read(entry(dir, key));
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            int length = in.readInt();
            if (length < 0 || length != bytes.length - 4 - 32) {
                return Optional.empty();
            }
            byte[] payload = in.readNBytes(length);
            if (!java.util.Arrays.equals(in.readNBytes(32), Sha256.digest(payload))) {
                return Optional.empty();
            }
            DataInputStream data = new DataInputStream(new ByteArrayInputStream(payload));
            PolicyModel model = ModelCodec.decode(data);
            // A manifest's entry carries its table after the model; a policy file's ends with the model.
            return Optional.of(new Entry(model, data.available() > 0 ? data.readUTF() : ""));
        } catch (IOException | RuntimeException e) {
            // Missing, truncated or corrupt: compile again and overwrite.
            return Optional.empty();
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
        write(dir, key, model, "");
    }

    /**
     * Stores a model kept in a table of its file; failures are ignored.
     *
     * @param dir the cache folder
     * @param key the file's key
     * @param model the validated model
     * @param table the table, e.g. {@code workspace.metadata.cordon}; empty for a policy file
     */
    public static void write(Path dir, String key, PolicyModel model, String table) {
        try {
            byte[] payload = ModelCodec.encode(model);
            if (!table.isEmpty()) {
                ByteArrayOutputStream withTable = new ByteArrayOutputStream(payload.length + table.length() + 2);
                DataOutputStream t = new DataOutputStream(withTable);
                t.write(payload);
                t.writeUTF(table);
                t.flush();
                payload = withTable.toByteArray();
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(payload.length + 36);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(payload.length);
            out.write(payload);
            // A checksum of the payload: a torn or corrupted entry is detected and rebuilt.
            out.write(Sha256.digest(payload));
            out.flush();
            CacheFiles.writeAtomically(entry(dir, key), bytes.toByteArray());
            CacheFiles.prune(dir, "policy-");
        } catch (IOException | RuntimeException e) {
            // A read-only or full cache folder must not fail the build: the policy was valid.
        }
    }

    /**
     * {@return whether a manifest with this key is known to hold no policy table}
     *
     * @param dir the cache folder
     * @param key the manifest's key
     */
    public static boolean knownAbsent(Path dir, String key) {
        return java.nio.file.Files.isRegularFile(absentEntry(dir, key));
    }

    /**
     * Remembers that a manifest holds no policy table, so later runs skip its parse; failures are ignored.
     *
     * @param dir the cache folder
     * @param key the manifest's key
     */
    public static void writeAbsent(Path dir, String key) {
        try {
            CacheFiles.writeAtomically(absentEntry(dir, key), new byte[0]);
        } catch (IOException | RuntimeException e) {
            // The next run parses the manifest again.
        }
    }

    private static Path absentEntry(Path dir, String key) {
        return dir.resolve(new StringBuilder("policy-").append(key).append(".none").toString());
    }
}
