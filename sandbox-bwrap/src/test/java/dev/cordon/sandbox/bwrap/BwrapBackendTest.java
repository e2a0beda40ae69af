package dev.cordon.sandbox.bwrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.spi.Capability;
import dev.cordon.spi.SandboxBackend;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BwrapBackendTest {

    @Test
    void backend_isFoundByServiceLoaderWithIdAndPriority() {
        SandboxBackend backend = ServiceLoader.load(SandboxBackend.class).stream()
                .filter(p -> p.type() == BwrapBackend.class).findFirst().orElseThrow().get();
        assertEquals("bwrap", backend.id());
        assertEquals(100, backend.priority());
    }

    @Test
    void backend_declaresEverythingIncludingExactRoutes() {
        Set<Capability> capabilities = new BwrapBackend().capabilities();
        assertEquals(EnumSet.of(Capability.NETWORK_DENY, Capability.NETWORK_ROUTES, Capability.WRITE_RESTRICTION,
                Capability.HIDE_PATHS, Capability.ENVIRONMENT, Capability.PROCESS_ISOLATION, Capability.SYSCALL_FILTER),
                capabilities);
        assertFalse(capabilities.contains(Capability.NETWORK_LOOPBACK_ROUTES), "routes are exact, not loopback-only");
    }

    @Test
    void backend_isAvailableOnThisLinuxMachine() {
        dev.cordon.testing.RequiredTools.require("bwrap");
        assertTrue(new BwrapBackend().availability().isAvailable(), new BwrapBackend().availability().reason());
    }

    @Test
    void module_exportsOnlyTheProviderPackageAndProvidesTheBackend() {
        ModuleDescriptor module = ModuleFinder.of(Path.of("target/classes")).find("dev.cordon.sandbox.bwrap")
                .orElseThrow().descriptor();
        assertEquals(Set.of("dev.cordon.sandbox.bwrap"),
                module.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        assertEquals(Set.of("dev.cordon.spi.SandboxBackend"),
                module.provides().stream().map(ModuleDescriptor.Provides::service).collect(Collectors.toSet()));
    }
}
