package dev.cordon.sandbox.macos.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the jobserver pipe that Cargo names in {@code CARGO_MAKEFLAGS}, so the plan can hand its two
 * descriptors through {@code sandbox-exec} (which keeps open descriptors across its exec) to the build
 * script. Without them, {@code cc}-based build scripts still work, one compile job at a time.
 */
final class JobserverFds {
    private JobserverFds() {
    }

    /** What the flags name. */
    sealed interface Jobserver permits Pipe, Fifo {
    }

    /**
     * An inherited pipe.
     *
     * @param read the read end's descriptor number
     * @param write the write end's descriptor number
     */
    record Pipe(int read, int write) implements Jobserver {
    }

    /**
     * A named pipe, which the sandbox would have to let the script open for writing.
     *
     * @param path its path
     */
    record Fifo(String path) implements Jobserver {
    }

    /**
     * Reads {@code --jobserver-auth=R,W}, {@code --jobserver-fds=R,W} or {@code --jobserver-auth=fifo:PATH}
     * from {@code CARGO_MAKEFLAGS}; the last one wins, as in make.
     *
     * @param environment the script's environment
     * @return the jobserver, or empty when none is named or the value is malformed
     */
    static Optional<Jobserver> find(Map<String, String> environment) {
        String flags = environment.get("CARGO_MAKEFLAGS");
        if (flags == null) {
            return Optional.empty();
        }
        Optional<Jobserver> found = Optional.empty();
        for (String word : List.of(flags.split(" "))) {
            String value;
            if (word.startsWith("--jobserver-auth=")) {
                value = word.substring("--jobserver-auth=".length());
            } else if (word.startsWith("--jobserver-fds=")) {
                value = word.substring("--jobserver-fds=".length());
            } else {
                continue;
            }
            found = parse(value);
        }
        return found;
    }

    private static Optional<Jobserver> parse(String value) {
        if (value.startsWith("fifo:")) {
            return Optional.of(new Fifo(value.substring("fifo:".length())));
        }
        String[] parts = value.split(",", -1);
        if (parts.length != 2) {
            return Optional.empty();
        }
        try {
            int read = Integer.parseInt(parts[0]);
            int write = Integer.parseInt(parts[1]);
            return read >= 3 && write >= 3 ? Optional.of(new Pipe(read, write)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
