package dev.cordon.internal.limits;

import dev.cordon.internal.policy.model.Sizes;
import dev.cordon.internal.text.PolicyTables;

/** What the runner says when a resource limit stops a build script: the limit, its value, and the way out. */
public final class LimitMessages {
    private LimitMessages() {
    }

    /**
     * @param crate the crate
     * @param limitBytes the output limit
     * @return the message for a script that wrote more than its output limit (the supervisor counts stdout
     *     and stderr together, stops the script at the limit, and ends with {@code ExitCodes.LIMIT_EXCEEDED})
     */
    public static String outputExceeded(String crate, long limitBytes) {
        return stopped(crate, "wrote more than " + Sizes.format(limitBytes) + " of output (stdout and stderr)",
                "output", "\"" + Sizes.format(doubled(limitBytes)) + "\"");
    }

    /**
     * @param crate the crate
     * @param processes the process limit
     * @return the message for a script that hit its process limit
     */
    public static String processesExceeded(String crate, long processes) {
        return stopped(crate, "reached its limit of " + processes + " processes and threads (a fork bomb, or a build"
                + " that needs more)", "processes", Long.toString(processes * 2));
    }

    /**
     * @param crate the crate
     * @param bytes the memory limit
     * @return the message for a script the kernel stopped at its memory limit
     */
    public static String memoryExceeded(String crate, long bytes) {
        return stopped(crate, "ran out of its " + Sizes.format(bytes) + " memory limit and was killed", "memory",
                "\"" + Sizes.format(doubled(bytes)) + "\"");
    }

    private static long doubled(long value) {
        return value < (1L << 60) ? value * 2 : value;
    }

    private static String stopped(String crate, String what, String key, String raised) {
        return "cordon: the build script of " + crate + " " + what + ". If it needs more, raise the limit in the"
                + " policy:\n" + PolicyTables.header(PolicyTables.BUILD, crate) + "\nlimits = { " + key + " = " + raised
                + " }";
    }
}
