package dev.cordon.sandbox.macos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cordon.spi.SandboxBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModuleDescriptorTest {

    @Test
    void module_exportsNothingAndProvidesTheBackend() throws IOException, URISyntaxException {
        // The descriptor of this module's own classes, not the first module-info.class on the class path.
        Path classes = Path.of(SeatbeltBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            module = ModuleDescriptor.read(in);
        }
        assertEquals("dev.cordon.sandbox.macos", module.name());
        assertEquals(Set.of(), module.exports());
        assertEquals(1, module.provides().size());
        ModuleDescriptor.Provides provides = module.provides().iterator().next();
        assertEquals(SandboxBackend.class.getName(), provides.service());
        assertEquals(List.of(SeatbeltBackend.class.getName()), provides.providers());
    }

    @Test
    void serviceFile_namesTheSameProviderForTheClassPath() throws IOException {
        try (InputStream in = SeatbeltBackend.class.getResourceAsStream(
                "/META-INF/services/" + SandboxBackend.class.getName())) {
            assertEquals(SeatbeltBackend.class.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        }
    }
}
