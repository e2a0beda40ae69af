package dev.cordon.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.BackendChoice;
import dev.cordon.CordonException;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.SandboxException;
import dev.cordon.internal.discovery.BackendSelector;
import dev.cordon.internal.discovery.ProviderRegistry;
import dev.cordon.spi.SandboxBackend;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryTest {

    @TempDir
    Path dir;

    /** A class loader that sees only its own service files but loads classes from the test class path. */
    private ClassLoader loaderWith(Class<?>... providers) throws IOException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        StringBuilder lines = new StringBuilder();
        for (Class<?> p : providers) {
            lines.append(p.getName()).append('\n');
        }
        Files.writeString(services.resolve(SandboxBackend.class.getName()), lines);
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.startsWith("META-INF/services/") ? findResources(name) : super.getResources(name);
            }
        };
    }

    private ProviderRegistry<SandboxBackend> discover(Class<?>... providers) throws IOException {
        return ProviderRegistry.of(SandboxBackend.class, true, loaderWith(providers), List.of(), SandboxBackend::id);
    }

    private static Grant grant(String backend) {
        return Grant.builder("foo", Path.of("/tmp/x")).backend(BackendChoice.of(backend)).build();
    }

    @Test
    void discover_zeroProviders_autoFailsSayingWhatToAdd() throws IOException {
        var registry = discover();
        assertEquals(List.of(), registry.ids());
        var e = assertThrows(SandboxException.class,
                () -> new BackendSelector(registry, Optional.empty()).select(grant("auto")));
        assertEquals(ExitCodes.SANDBOX_UNAVAILABLE, e.exitCode());
        assertTrue(e.getMessage().contains("cordon-sandbox-bwrap"), e.getMessage());
    }

    @Test
    void discover_oneProvider_isChosenByAuto() throws IOException {
        var registry = discover(TestBackends.Alpha.class);
        assertEquals("alpha", new BackendSelector(registry, Optional.empty()).select(grant("auto")).id());
    }

    @Test
    void discover_twoProviders_autoPicksTheHigherPriority() throws IOException {
        var registry = discover(TestBackends.Alpha.class, TestBackends.Beta.class);
        assertEquals(List.of("alpha", "beta"), registry.ids());
        assertEquals("beta", new BackendSelector(registry, Optional.empty()).select(grant("auto")).id());
        assertEquals("alpha", new BackendSelector(registry, Optional.empty()).select(grant("alpha")).id());
    }

    @Test
    void discover_duplicateIds_areRejectedNamingBothClasses() {
        var e = assertThrows(CordonException.class,
                () -> discover(TestBackends.Beta.class, TestBackends.BetaImpostor.class));
        assertTrue(e.getMessage().contains(TestBackends.Beta.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains(TestBackends.BetaImpostor.class.getName()), e.getMessage());
    }

    @Test
    void discover_brokenServiceFile_isAClearError() {
        var e = assertThrows(CordonException.class, () -> discover(DiscoveryTest.class));
        assertTrue(e.getMessage().contains("SandboxBackend"), e.getMessage());
    }

    @Test
    void select_unavailableBackends_areSkippedByAutoAndExplainedWhenNamed() throws IOException {
        var registry = discover(TestBackends.Gamma.class, TestBackends.Alpha.class);
        var selector = new BackendSelector(registry, Optional.empty());
        assertEquals("alpha", selector.select(grant("auto")).id());
        var e = assertThrows(SandboxException.class, () -> selector.select(grant("gamma")));
        assertTrue(e.getMessage().contains("install it"), e.getMessage());
    }

    @Test
    void select_onlyUnavailableBackends_listsEveryReason() throws IOException {
        var e = assertThrows(SandboxException.class, () -> new BackendSelector(discover(TestBackends.Gamma.class),
                Optional.empty()).select(grant("auto")));
        assertTrue(e.getMessage().contains("gamma: gamma needs the gamma tool"), e.getMessage());
    }

    @Test
    void select_unknownId_namesTheKnownOnes() throws IOException {
        var e = assertThrows(SandboxException.class, () -> new BackendSelector(discover(TestBackends.Alpha.class),
                Optional.empty()).select(grant("alpah")));
        assertTrue(e.getMessage().contains("'alpah'") && e.getMessage().contains("did you mean 'alpha'?"),
                e.getMessage());
    }

    @Test
    void select_autoNeverFallsBackToNoSandbox() throws IOException {
        var registry = ProviderRegistry.of(SandboxBackend.class, false, loaderWith(), List.of(
                new dev.cordon.internal.discovery.NoSandboxBackend()), SandboxBackend::id);
        assertThrows(SandboxException.class, () -> new BackendSelector(registry, Optional.empty()).select(grant("auto")));
        assertEquals("none", new BackendSelector(registry, Optional.empty()).select(grant("none")).id());
    }

    @Test
    void select_pinOverridesThePolicy() throws IOException {
        var registry = discover(TestBackends.Alpha.class, TestBackends.Beta.class);
        assertEquals("alpha", new BackendSelector(registry, Optional.of("alpha")).select(grant("beta")).id());
    }

    @Test
    void discover_off_usesOnlyProvidersAddedByHand() throws IOException {
        var registry = ProviderRegistry.of(SandboxBackend.class, false, loaderWith(TestBackends.Beta.class),
                List.<SandboxBackend>of(new TestBackends.Alpha()), SandboxBackend::id);
        assertEquals(Collections.singletonList("alpha"), registry.ids());
    }
}
