package dev.cordon.sandbox.seccomp.internal;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Syscall names and numbers of one architecture, from {@link SyscallNumbers} (generated from the
 * kernel headers by {@code src/main/scripts/generate-syscall-tables.py}).
 */
public final class SyscallTable {
    // Indexed by ordinal, not an EnumMap: EnumMap reads the constants reflectively, which spins
    // method-handle classes and costs tens of milliseconds in a fresh JVM.
    private static final SyscallTable[] TABLES = new SyscallTable[Architecture.values().length];

    private final Architecture architecture;
    private final Map<String, Integer> numbers;

    private SyscallTable(Architecture architecture, Map<String, Integer> numbers) {
        this.architecture = architecture;
        this.numbers = Collections.unmodifiableMap(numbers);
    }

    /** {@return the table of {@code architecture}, parsed once} */
    public static synchronized SyscallTable of(Architecture architecture) {
        SyscallTable table = TABLES[architecture.ordinal()];
        if (table == null) {
            table = parse(architecture, switch (architecture) {
                case X86_64 -> SyscallNumbers.X86_64;
                case AARCH64 -> SyscallNumbers.AARCH64;
            });
            TABLES[architecture.ordinal()] = table;
        }
        return table;
    }

    /** {@return the architecture of this table} */
    public Architecture architecture() {
        return architecture;
    }

    /** {@return the number of {@code name} on this architecture, or empty if it has no such call} */
    public OptionalInt number(String name) {
        Integer number = numbers.get(name);
        return number == null ? OptionalInt.empty() : OptionalInt.of(number);
    }

    /** {@return every name and number, sorted by name} */
    public Map<String, Integer> all() {
        return Collections.unmodifiableMap(new TreeMap<>(numbers));
    }

    private static SyscallTable parse(Architecture architecture, String pairs) {
        // A HashMap: a TreeMap's string comparisons cost the cold path about a millisecond here; only
        // all() (error messages) needs the names sorted.
        Map<String, Integer> numbers = new HashMap<>(1024);
        int start = 0;
        while (start < pairs.length()) {
            int colon = pairs.indexOf(':', start);
            int space = pairs.indexOf(' ', colon);
            numbers.put(pairs.substring(start, colon), Integer.parseInt(pairs, colon + 1, space, 10));
            start = space + 1;
        }
        return new SyscallTable(architecture, numbers);
    }
}
