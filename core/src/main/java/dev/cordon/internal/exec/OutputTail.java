package dev.cordon.internal.exec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Keeps the last lines of a byte stream, for crash and timeout reports. Thread-safe. */
public final class OutputTail {
    private static final int MAX_LINE = 4096;

    private final int capacity;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final StringBuilder partial = new StringBuilder();

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
        String text = new String(buffer, 0, length, StandardCharsets.UTF_8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                finished.add(finish());
            } else if (partial.length() < MAX_LINE) {
                partial.append(c);
            }
        }
        return finished;
    }

    /**
     * Ends the stream: an unfinished last line (output that did not end with a newline) becomes a
     * complete line.
     *
     * @return that line, or empty when the stream ended with a newline or had no output
     */
    public synchronized Optional<String> end() {
        return partial.isEmpty() ? Optional.empty() : Optional.of(finish());
    }

    private String finish() {
        String line = partial.toString();
        partial.setLength(0);
        lines.addLast(line);
        while (lines.size() > capacity) {
            lines.removeFirst();
        }
        return line;
    }

    /** {@return the last lines, oldest first, including an unfinished last line} */
    public synchronized List<String> lines() {
        List<String> out = new ArrayList<>(lines);
        if (!partial.isEmpty()) {
            out.add(partial.toString());
            if (out.size() > capacity) {
                out.removeFirst();
            }
        }
        return out;
    }
}
