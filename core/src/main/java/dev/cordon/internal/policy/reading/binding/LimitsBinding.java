package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.ValueChecks.Kind;

/** {@code limits = { processes = ..., memory = ..., open-files = ..., output = ... }}. */
public final class LimitsBinding extends Binding {
    /** {@code processes}: a Long or a String, or null. */
    @Checked(Kind.PROCESSES)
    public Object processes;

    /** {@code memory}: a Long or a String, or null. */
    @Checked(Kind.MEMORY)
    public Object memory;

    /** {@code open-files}: a Long or a String, or null. */
    @Checked(Kind.OPEN_FILES)
    public Object openFiles;

    /** {@code output}: a Long or a String, or null. */
    @Checked(Kind.OUTPUT)
    public Object output;

    /** @param keyPath where it is */
    public LimitsBinding(String keyPath) {
        super(keyPath);
    }
}
