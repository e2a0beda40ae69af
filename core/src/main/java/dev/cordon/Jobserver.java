package dev.cordon;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The GNU make jobserver Cargo names in {@code CARGO_MAKEFLAGS}: either two inherited pipe descriptors
 * ({@code --jobserver-auth=R,W}, or the older {@code --jobserver-fds=R,W}) or a named FIFO
 * ({@code --jobserver-auth=fifo:PATH}).
 *
 * <p>A build script that runs {@code make} or the {@code cc} crate with parallel jobs takes tokens from
 * it, so the sandbox must hand the descriptors through (they are inherited across {@code bwrap}) or
 * make the FIFO visible.
 *
 * @param readFd the descriptor tokens are read from, or -1 when the jobserver is a FIFO
 * @param writeFd the descriptor tokens are returned to, or -1 when the jobserver is a FIFO
 * @param fifo the FIFO's path, or empty when the jobserver is a pipe pair
 * @since 0.1
 */
public record Jobserver(int readFd, int writeFd, Optional<Path> fifo) {

    /**
     * {@return the pipe descriptors to hand on (read, then write; one entry when both are the same), or
     * empty for a FIFO}
     */
    public List<Integer> descriptors() {
        if (fifo.isPresent()) {
            return List.of();
        }
        return readFd == writeFd ? List.of(readFd) : List.of(readFd, writeFd);
    }

    /**
     * Finds the jobserver in a {@code MAKEFLAGS}-style value. As in GNU make, the last
     * {@code --jobserver-auth}/{@code --jobserver-fds} word wins.
     *
     * @param makeflags the value of {@code CARGO_MAKEFLAGS}; may be null
     * @return the jobserver, or empty when none is named or the value is malformed (a malformed value
     *     only means the script runs without tokens, which Cargo tolerates)
     */
    public static Optional<Jobserver> parse(String makeflags) {
        if (makeflags == null) {
            return Optional.empty();
        }
        Optional<Jobserver> found = Optional.empty();
        for (String word : makeflags.trim().split("\\s+")) {
            String value;
            if (word.startsWith("--jobserver-auth=")) {
                value = word.substring("--jobserver-auth=".length());
            } else if (word.startsWith("--jobserver-fds=")) {
                value = word.substring("--jobserver-fds=".length());
            } else {
                continue;
            }
            found = parseValue(value);
        }
        return found;
    }

    private static Optional<Jobserver> parseValue(String value) {
        if (value.startsWith("fifo:")) {
            String path = value.substring("fifo:".length());
            return path.startsWith("/") ? Optional.of(new Jobserver(-1, -1, Optional.of(Path.of(path))))
                    : Optional.empty();
        }
        int comma = value.indexOf(',');
        if (comma < 0) {
            return Optional.empty();
        }
        try {
            int read = Integer.parseInt(value.substring(0, comma));
            int write = Integer.parseInt(value.substring(comma + 1));
            // Descriptors 0-2 are stdio; negative ones mean "no jobserver" in make's own encoding.
            return read >= 3 && write >= 3 ? Optional.of(new Jobserver(read, write, Optional.empty()))
                    : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
