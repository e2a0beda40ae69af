package dev.cordon.internal.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the last lines of a byte stream, for crash and timeout reports. Thread-safe.
 *
 * <p>Lines are split on the byte {@code '\n'} and decoded whole, so a multi-byte UTF-8 character that
 * arrives split across two reads is still decoded right (0x0A never occurs inside a UTF-8 sequence).
 */
public final class OutputTail {
    private static final int MAX_LINE = 4096;

    private final int capacity;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    /** @param capacity how many lines to keep */
    public OutputTail(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Adds bytes as they arrive.
     *
     * @param buffer the bytes
     * @param length how many of them are valid
     * @return the complete lines this chunk finished, in order (without their newlines)
     */
    public synchronized List<String> add(byte[] buffer, int length) {
        List<String> finished = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (buffer[i] == '\n') {
                keep(buffer, start, i);
                finished.add(finish());
                start = i + 1;
            }
        }
        keep(buffer, start, length);
        return finished;
    }

    /**
     * Ends the stream: an unfinished last line (output that did not end with a newline) becomes a
     * complete line.
     *
     * @return that line, or empty when the stream ended with a newline or had no output
     */
    public synchronized Optional<String> end() {
        return partial.size() == 0 ? Optional.empty() : Optional.of(finish());
    }

    private void keep(byte[] buffer, int from, int to) {
        int room = MAX_LINE - partial.size();
        partial.write(buffer, from, Math.max(0, Math.min(to - from, room)));
    }

    private String finish() {
        String line = partial.toString(StandardCharsets.UTF_8);
        partial.reset();
        lines.addLast(line);
        while (lines.size() > capacity) {
            lines.removeFirst();
        }
        return line;
    }

    /** {@return the last lines, oldest first, including an unfinished last line} */
    public synchronized List<String> lines() {
        List<String> out = new ArrayList<>(lines);
        if (partial.size() > 0) {
            out.add(partial.toString(StandardCharsets.UTF_8));
            if (out.size() > capacity) {
                out.removeFirst();
            }
        }
        return out;
    }
}
