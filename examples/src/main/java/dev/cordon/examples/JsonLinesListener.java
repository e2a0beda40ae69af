package dev.cordon.examples;

import dev.cordon.RunEvent;
import dev.cordon.spi.RunListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A run listener that appends one JSON object per build script to a file: a smaller, hand-written
 * cousin of the built-in {@code CORDON_AUDIT_LOG}, to show the {@link RunListener} SPI.
 *
 * <p>Each record is one {@code write} on a file opened for append, so records of build scripts running
 * in parallel (one runner process each) never interleave.
 */
public final class JsonLinesListener implements RunListener {
    private final Path file;

    /** @param file the file to append to; its folders are created when missing */
    public JsonLinesListener(Path file) {
        this.file = file.toAbsolutePath();
    }

    @Override
    public String id() {
        return "example-json-lines";
    }

    @Override
    public void finished(RunEvent event) {
        String line = "{\"crate\":" + quote(event.crateName())
                + ",\"version\":" + event.crateVersion().map(JsonLinesListener::quote).orElse("null")
                + ",\"backend\":" + quote(event.backendId())
                + ",\"started\":" + quote(event.started().toString())
                + ",\"durationMs\":" + event.duration().toMillis()
                + ",\"exitCode\":" + event.exitCode()
                + ",\"signal\":" + event.signal().map(JsonLinesListener::quote).orElse("null")
                + ",\"timedOut\":" + event.timedOut().map(t -> quote(t.key())).orElse("null") + "}\n";
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
