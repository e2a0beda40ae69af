package dev.cordon;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a build script's output is copied live, line by line with a timestamp ({@link Grant#liveLog()},
 * {@code live-log} in a policy): the runner's stderr, the terminal the build runs in, or a file every build
 * script of the build appends to.
 *
 * <p>Sealed rather than an enum because a file carries its path: a {@code switch} over {@link Stream} and
 * {@link File} covers every sink. Each sink's {@code toString()} is the policy's spelling.
 *
 * @since 0.2
 */
public sealed interface LiveLogSink permits LiveLogSink.Stream, LiveLogSink.File {

    /** The runner's stderr ({@code "stderr"}), which Cargo shows with {@code -vv}. */
    LiveLogSink STDERR = Stream.STDERR;

    /**
     * The terminal the build runs in ({@code "tty"}), which Cargo's output capture does not reach; when the
     * build has no terminal (CI), the lines are dropped.
     */
    LiveLogSink TTY = Stream.TTY;

    /**
     * {@return the sink a policy's {@code live-log} value names: {@code "stderr"}, {@code "tty"}, else a file
     * path (absolute, or relative to Cargo's target directory)}
     *
     * @param text the value as written
     * @throws IllegalArgumentException when the text is blank or holds a NUL or a newline
     */
    static LiveLogSink parse(String text) {
        return switch (Objects.requireNonNull(text, "text")) {
            case "stderr" -> STDERR;
            case "tty" -> TTY;
            default -> {
                if (text.isBlank() || text.indexOf('\0') >= 0 || text.indexOf('\n') >= 0) {
                    throw new IllegalArgumentException("live-log '" + text + "' is not a live-log sink: write \"tty\","
                            + " \"stderr\", an absolute file path, or a path relative to the target dir, e.g."
                            + " \"cordon/live.log\"");
                }
                try {
                    yield new File(Path.of(text));
                } catch (InvalidPathException e) {
                    throw new IllegalArgumentException("live-log '" + text + "' is not a file path: " + e.getReason(),
                            e);
                }
            }
        };
    }

    /**
     * {@return a file sink}
     *
     * @param path an absolute path, or one relative to Cargo's target directory (e.g. {@code cordon/live.log})
     */
    static File file(Path path) {
        return new File(path);
    }

    /** The runner's own streams. */
    enum Stream implements LiveLogSink {
        /** See {@link LiveLogSink#STDERR}. */
        STDERR("stderr"),
        /** See {@link LiveLogSink#TTY}. */
        TTY("tty");

        private final String spelling;

        Stream(String spelling) {
            this.spelling = spelling;
        }

        /** {@return {@code "stderr"} or {@code "tty"}, as a policy writes it} */
        @Override
        public String toString() {
            return spelling;
        }
    }

    /**
     * A file every build script of the build appends its lines to.
     *
     * @param path an absolute path, or a path relative to Cargo's target directory (of the invocation, else its
     *     working directory); normalised ({@code ./a/../live.log} is {@code live.log}); never null
     */
    record File(Path path) implements LiveLogSink {
        /** Checks and normalises the component, so that two spellings of one file are one sink. */
        public File {
            path = Objects.requireNonNull(path, "path").normalize();
        }

        // Written out, not generated: a record's generated equals and hashCode spin classes at run time.
        @Override
        public boolean equals(Object other) {
            return other instanceof File that && path.equals(that.path);
        }

        @Override
        public int hashCode() {
            return path.hashCode();
        }

        /**
         * {@return the path as a policy writes it; with {@code ./} in front where the bare path would not read
         * back as this file: {@code ./stderr}, {@code ./tty}, and a blank name}
         */
        @Override
        public String toString() {
            String text = path.toString();
            return text.isBlank() || text.equals("stderr") || text.equals("tty") ? "./" + text : text;
        }
    }
}
