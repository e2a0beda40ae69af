package dev.cordon;

/**
 * How a build script sees its own package directory.
 *
 * @since 0.1
 */
public enum SourceMode {
    /** Read-only: a write fails (EROFS or EACCES) and the runner explains the denial. The default. */
    READ_ONLY,
    /**
     * The script runs against a private, writable copy of its package directory; the original stays
     * untouched. Costs one copy of the package per run.
     */
    COPY
}
