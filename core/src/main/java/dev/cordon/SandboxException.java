package dev.cordon;

/**
 * A sandbox could not be chosen or set up: no backend is available, the one asked for is missing, or
 * the grant asks for something the backend cannot enforce. Nothing runs when one is thrown: Cordon
 * never falls back to running without a sandbox.
 *
 * @since 0.1
 */
public final class SandboxException extends CordonException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what is missing and how to get it; never null
     * @param exitCode one of {@link ExitCodes#SANDBOX_UNAVAILABLE}, {@link ExitCodes#UNENFORCEABLE},
     *     {@link ExitCodes#SANDBOX_FAILED}
     */
    public SandboxException(String message, int exitCode) {
        super(message, exitCode);
    }

    /**
     * Creates an exception with a cause.
     *
     * @param message what is missing and how to get it; never null
     * @param exitCode one of {@link ExitCodes}
     * @param cause the underlying failure
     */
    public SandboxException(String message, int exitCode, Throwable cause) {
        super(message, exitCode, cause);
    }
}
