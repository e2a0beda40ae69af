package dev.cordon.sandbox.seccomp.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Syscall names and numbers of one architecture, read from the resource {@code <arch>.syscalls}
 * (generated from the kernel headers by {@code src/main/scripts/generate-syscall-tables.py}).
 */
public final class SyscallTable {
    private static final Map<Architecture, SyscallTable> TABLES = new EnumMap<>(Architecture.class);

    private final Architecture architecture;
    private final Map<String, Integer> numbers;

    private SyscallTable(Architecture architecture, Map<String, Integer> numbers) {
        this.architecture = architecture;
        this.numbers = Collections.unmodifiableMap(numbers);
    }

    /** {@return the table of {@code architecture}, loaded once} */
    public static synchronized SyscallTable of(Architecture architecture) {
        return TABLES.computeIfAbsent(architecture, SyscallTable::load);
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
        return numbers;
    }

    private static SyscallTable load(Architecture architecture) {
        String resource = architecture.id() + ".syscalls";
        Map<String, Integer> numbers = new TreeMap<>();
        try (InputStream in = Objects.requireNonNull(SyscallTable.class.getResourceAsStream(resource),
                        () -> "missing resource " + resource + " next to " + SyscallTable.class.getName());
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.indexOf(' ');
                numbers.put(line.substring(0, space), Integer.parseInt(line.substring(space + 1).trim()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the syscall table " + resource, e);
        }
        return new SyscallTable(architecture, numbers);
    }
}
