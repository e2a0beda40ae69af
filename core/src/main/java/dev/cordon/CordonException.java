package dev.cordon;

import java.util.Objects;

/**
 * The root of every exception Cordon throws on purpose.
 *
 * <p>Each carries the process {@linkplain #exitCode() exit code} the runner ends with, so that a
 * build tool (or a person) can tell a bad policy from a missing sandbox from a failing build script.
 * Messages quote the bad value and say how to fix it.
 *
 * @since 0.1
 */
public class CordonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /**
     * Creates an exception.
     *
     * @param message what went wrong and how to fix it; never null
     * @param exitCode the exit code the runner ends with, one of {@link ExitCodes}
     */
    public CordonException(String message, int exitCode) {
        super(Objects.requireNonNull(message, "message"));
        this.exitCode = exitCode;
    }

    /**
     * Creates an exception with a cause.
     *
     * @param message what went wrong and how to fix it; never null
     * @param exitCode the exit code the runner ends with, one of {@link ExitCodes}
     * @param cause the underlying failure
     */
    public CordonException(String message, int exitCode, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.exitCode = exitCode;
    }

    /** {@return the exit code a runner ends with when this exception stops it} */
    public int exitCode() {
        return exitCode;
    }
}
