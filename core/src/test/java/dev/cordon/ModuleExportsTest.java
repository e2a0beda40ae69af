package dev.cordon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModuleExportsTest {

    @Test
    void core_exportsOnlyApiAndSpi() throws IOException {
        Path descriptor = Path.of("target/classes/module-info.class");
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(descriptor)) {
            module = ModuleDescriptor.read(in);
        }
        assertEquals("dev.cordon.core", module.name());
        assertEquals(Set.of("dev.cordon", "dev.cordon.spi"), module.exports().stream()
                .filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        // The Bubblewrap planner puts the route jail in its plans (issue 13); the seccomp module's messages use
        // the one "did you mean" helper (issue 16); no one else sees internals.
        assertEquals(Set.of("dev.cordon.internal.net -> [dev.cordon.sandbox.bwrap]",
                "dev.cordon.internal.text -> [dev.cordon.sandbox.seccomp]"), module.exports().stream()
                .filter(ModuleDescriptor.Exports::isQualified).map(e -> e.source() + " -> " + e.targets())
                .collect(Collectors.toSet()));
        assertEquals(Set.of("dev.cordon.spi.SandboxBackend", "dev.cordon.spi.InvocationDecoder",
                "dev.cordon.spi.PolicyProvider", "dev.cordon.spi.SyscallFilterCompiler",
                "dev.cordon.spi.RunListener"), module.uses());
    }
}
