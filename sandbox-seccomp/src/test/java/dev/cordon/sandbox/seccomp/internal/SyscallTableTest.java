package dev.cordon.sandbox.seccomp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SyscallTableTest {

    @Test
    void x86_64_matchesThisMachinesKernelHeader() throws IOException {
        Path header = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
        if (!Files.exists(header)) {
            RequiredTools.missing(header + " (apt-get install linux-libc-dev)");
        }
        Map<String, Integer> fromHeader = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^#define __NR_(\\w+) (\\d+)$").matcher(Files.readString(header));
        while (m.find()) {
            fromHeader.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        SyscallTable table = Architecture.X86_64.syscalls();

        assertTrue(fromHeader.size() > 300, "parsed " + fromHeader.size());
        fromHeader.forEach((name, number) -> assertEquals(OptionalInt.of(number), table.number(name), name));
    }

    @Test
    void aarch64_hasTheGenericNumbers() {
        SyscallTable table = Architecture.AARCH64.syscalls();

        assertEquals(OptionalInt.of(29), table.number("ioctl"));
        assertEquals(OptionalInt.of(56), table.number("openat"));
        assertEquals(OptionalInt.of(92), table.number("personality"));
        assertEquals(OptionalInt.of(97), table.number("unshare"));
        assertEquals(OptionalInt.of(198), table.number("socket"));
        assertEquals(OptionalInt.of(220), table.number("clone"));
        assertEquals(OptionalInt.of(221), table.number("execve"));
        assertEquals(OptionalInt.of(435), table.number("clone3"));
        assertEquals(OptionalInt.empty(), table.number("open"), "aarch64 has only openat");
        assertEquals(OptionalInt.empty(), table.number("iopl"));
    }

    @Test
    void tables_haveOneNamePerNumber_andKnowTheNewerCalls() {
        for (Architecture architecture : Architecture.values()) {
            Map<String, Integer> all = architecture.syscalls().all();
            assertEquals(all.size(), new HashSet<>(all.values()).size(), architecture.id());
            assertEquals(Integer.valueOf(467), all.get("open_tree_attr"), architecture.id());
        }
    }
}
