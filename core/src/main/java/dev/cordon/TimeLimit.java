package dev.cordon;

/**
 * A time limit that can kill a build script: which one did is {@link RunEvent#timedOut()}.
 *
 * @since 0.2
 */
public enum TimeLimit {
    /** The wall-clock limit: {@link Grant#timeout()}, {@code timeout} in a policy. */
    WALL_CLOCK("timeout"),
    /** The limit on time without any output: {@link Grant#idleTimeout()}, {@code idle-timeout} in a policy. */
    IDLE("idle-timeout");

    private final String key;

    TimeLimit(String key) {
        this.key = key;
    }

    /**
     * {@return the limit's policy key, {@code "timeout"} or {@code "idle-timeout"}: also how the audit log's
     * {@code timedOut} field spells it}
     */
    public String key() {
        return key;
    }
}
