package dev.cordon;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * How much of the machine one build script may use. An empty value means no limit. Backends and the
 * supervisor enforce what they can; {@code explain} says which limits are enforced on this machine and how.
 *
 * @param processes the most tasks (processes and threads) the script may have at once
 * @param memoryBytes the most memory, in bytes: for all the script's processes together where a cgroup
 *     enforces it, per process where only rlimits do
 * @param openFiles the most open file descriptors per process
 * @param outputBytes the most bytes of stdout and stderr together; the supervisor counts them
 * @since 0.2
 */
public record ResourceLimits(OptionalLong processes, OptionalLong memoryBytes, OptionalLong openFiles,
        OptionalLong outputBytes) {

    /** 1,024 tasks: a {@code make -j64} C build needs about 256 (make, gcc, cc1, as per job). */
    public static final long DEFAULT_PROCESSES = 1024;
    /** 4 GiB. */
    public static final long DEFAULT_MEMORY = 4L << 30;
    /** 4,096 descriptors per process. */
    public static final long DEFAULT_OPEN_FILES = 4096;
    /** 64 MiB: Cargo keeps a script's whole stdout in memory and on disk. */
    public static final long DEFAULT_OUTPUT = 64L << 20;

    private static final ResourceLimits DEFAULTS = new ResourceLimits(OptionalLong.of(DEFAULT_PROCESSES),
            OptionalLong.of(DEFAULT_MEMORY), OptionalLong.of(DEFAULT_OPEN_FILES), OptionalLong.of(DEFAULT_OUTPUT));
    private static final ResourceLimits NONE = new ResourceLimits(OptionalLong.empty(), OptionalLong.empty(),
            OptionalLong.empty(), OptionalLong.empty());

    /** Checks the components: every limit present is positive. */
    public ResourceLimits {
        requirePositive("processes", processes);
        requirePositive("memory", memoryBytes);
        requirePositive("open files", openFiles);
        requirePositive("output", outputBytes);
    }

    private static void requirePositive(String what, OptionalLong value) {
        Objects.requireNonNull(value, what);
        if (value.isPresent() && value.getAsLong() <= 0) {
            throw new IllegalArgumentException(what + " limit (" + value.getAsLong() + ") must be positive");
        }
    }

    /** {@return the built-in limits: 1024 processes, 4 GiB memory, 4096 open files, 64 MiB output} */
    public static ResourceLimits defaults() {
        return DEFAULTS;
    }

    /** {@return no limits at all} */
    public static ResourceLimits none() {
        return NONE;
    }
}
