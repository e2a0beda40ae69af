package dev.cordon.sandbox.seccomp.internal;

import java.util.List;
import java.util.Objects;

/**
 * The rules of one filter with syscall numbers resolved for one architecture: what
 * {@link FilterEmitter} turns into BPF.
 *
 * @param architecture the architecture the numbers belong to
 * @param entries one entry per syscall with a rule, sorted by number; never null
 * @param layers what went in, for the description: e.g. {@code "default + no-network"}
 */
public record ResolvedFilter(Architecture architecture, List<Entry> entries, String layers) {

    /**
     * A syscall number and its rule.
     *
     * @param number the syscall number on the filter's architecture
     * @param rule what to do with it
     */
    public record Entry(int number, SyscallRule rule) {
        /** Checks the components. */
        public Entry {
            Objects.requireNonNull(rule, "rule");
        }
    }

    /** Checks and copies the components. */
    public ResolvedFilter {
        Objects.requireNonNull(architecture, "architecture");
        entries = List.copyOf(entries);
        Objects.requireNonNull(layers, "layers");
    }
}
