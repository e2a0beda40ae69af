package dev.cordon.internal.audit;

import dev.cordon.RunEvent;
import dev.cordon.spi.RunListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in audit log: one JSON object per build script, one per line, appended to the file named by
 * {@code CORDON_AUDIT_LOG}.
 *
 * <p>Parallel Cargo jobs are separate runner processes appending to the same file. Each record is
 * written with one {@code write} on a descriptor opened with {@code O_APPEND}, so the kernel places it
 * whole at the end of the file and records never interleave.
 */
public final class JsonLinesAuditLog implements RunListener {
    /** The environment variable naming the log file. */
    public static final String VARIABLE = "CORDON_AUDIT_LOG";

    private final Path file;

    /** @param file the log file; created with its folders when missing, appended to otherwise */
    public JsonLinesAuditLog(Path file) {
        this.file = file;
    }

    /**
     * @param environment the runner's environment
     * @param workingDirectory what a relative file name is resolved against
     * @return the audit log {@code CORDON_AUDIT_LOG} asks for, if it is set and not blank
     */
    public static Optional<JsonLinesAuditLog> fromEnvironment(Map<String, String> environment, Path workingDirectory) {
        return Optional.ofNullable(environment.get(VARIABLE)).filter(v -> !v.isBlank())
                .map(v -> new JsonLinesAuditLog(workingDirectory.resolve(v).normalize()));
    }

    @Override
    public String id() {
        return "jsonl-audit-log";
    }

    /** {@return the log file} */
    public Path file() {
        return file;
    }

    /** @throws UncheckedIOException when the record cannot be written whole */
    @Override
    public void finished(RunEvent event) {
        ByteBuffer bytes = ByteBuffer.wrap(AuditRecord.line(event).getBytes(StandardCharsets.UTF_8));
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                int written = channel.write(bytes);
                if (bytes.hasRemaining()) {
                    throw new IOException("short write (" + written + " of " + bytes.limit() + " bytes)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the audit log " + file + " (" + VARIABLE + "): "
                    + e.getMessage(), e);
        }
    }
}
