package dev.cordon;

/**
 * The exit codes a Cordon runner ends with when it, rather than the build script, stops the run.
 *
 * <p>They follow BSD {@code sysexits.h} where one fits, so they stay clear of the small codes build
 * scripts use. When the build script itself runs, the runner ends with the script's own exit code, or
 * {@code 128 + signal} when a signal killed it.
 *
 * @since 0.1
 */
public final class ExitCodes {
    /** The runner was called wrongly: no build-script program, an unknown option or command. */
    public static final int USAGE = 64;
    /** The invocation could not be decoded (for example, the program named does not exist). */
    public static final int BAD_INVOCATION = 65;
    /** The policy file named does not exist or cannot be read. */
    public static final int POLICY_NOT_FOUND = 66;
    /** No sandbox backend is available on this machine, or the one asked for is not. */
    public static final int SANDBOX_UNAVAILABLE = 69;
    /** An unexpected failure inside Cordon itself. */
    public static final int INTERNAL = 70;
    /** The sandbox could not be set up (for example, a file of the plan could not be written). */
    public static final int SANDBOX_FAILED = 71;
    /** A resource limit (processes, memory, output) stopped the build script. */
    public static final int LIMIT_EXCEEDED = 75;
    /**
     * The build script printed a directive the directive firewall refuses (one that would make Cargo run
     * its code on the host); Cargo ignores the script's output.
     */
    public static final int DIRECTIVE_REFUSED = 76;
    /** The grant asks for something the chosen backend cannot enforce. */
    public static final int UNENFORCEABLE = 77;
    /** The policy is invalid: malformed TOML, unknown keys, wrong types, bad values. */
    public static final int INVALID_POLICY = 78;
    /** The build script ran longer than its timeout and was killed. */
    public static final int TIMEOUT = 124;

    private ExitCodes() {
    }
}
