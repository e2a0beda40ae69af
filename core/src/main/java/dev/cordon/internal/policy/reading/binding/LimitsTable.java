package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.constraints.ByteSize;
import dev.cordon.internal.policy.reading.constraints.Count;

/** {@code limits = { processes = ..., memory = ..., open-files = ..., output = ... }}: each an integer, a String, or null. */
public final class LimitsTable {
    /** {@code processes}. */
    @Count(min = 8, max = 4_194_304)
    public Object processes;

    /** {@code memory}. */
    @ByteSize(min = 32L << 20, max = 1L << 60)
    public Object memory;

    /** {@code open-files}. */
    @Count(min = 16, max = 1L << 30)
    public Object openFiles;

    /** {@code output}. */
    @ByteSize(min = 1L << 10, max = 1L << 60)
    public Object output;

    /** Created by Jackson. */
    public LimitsTable() {
    }
}
