package dev.cordon;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing wrong with a policy: where it is, which key, what is wrong and how to fix it.
 *
 * @param file the policy file, or empty for a policy that did not come from a file
 * @param line the 1-based line, or 0 when unknown
 * @param column the 1-based column, or 0 when unknown
 * @param keyPath the dotted key path, e.g. {@code permissions.build.sqlx.network-access.routes[0]};
 *     empty for a problem with the file as a whole
 * @param message what is wrong, quoting the bad value; never null
 * @param fix how to fix it; empty when there is nothing useful to say
 * @since 0.1
 */
public record PolicyViolation(Optional<Path> file, int line, int column, String keyPath, String message,
        String fix) {

    /** Checks the components. */
    public PolicyViolation {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(keyPath, "keyPath");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(fix, "fix");
    }

    /**
     * {@return a one-line description: {@code file:line:column: key: message (fix)}}
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append(file.map(Path::toString).orElse("<policy>"));
        if (line > 0) {
            out.append(':').append(line);
            if (column > 0) {
                out.append(':').append(column);
            }
        }
        out.append(": ");
        if (!keyPath.isEmpty()) {
            out.append(keyPath).append(": ");
        }
        out.append(message);
        if (!fix.isEmpty()) {
            out.append(" (").append(fix).append(')');
        }
        return out.toString();
    }
}
