package dev.cordon.internal.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.discovery.TestBackends;
import dev.cordon.spi.RunListener;
import dev.cordon.spi.SandboxBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The discovery cache answers exactly what ServiceLoader answers, and only while nothing it saw changed. */
class DiscoveryCacheTest {
    private static final String ALPHA = TestBackends.Alpha.class.getName();
    private static final String BETA = TestBackends.Beta.class.getName();
    private static final String GAMMA = TestBackends.Gamma.class.getName();

    @TempDir
    Path dir;

    /** Writes a jar holding a SandboxBackend service file (the classes come from the test class path). */
    private static Path jar(Path file, List<String> providers, String classPath) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (classPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        Files.createDirectories(file.getParent());
        FileTime before = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            if (!providers.isEmpty()) {
                jar.putNextEntry(new JarEntry("META-INF/services/" + SandboxBackend.class.getName()));
                jar.write((String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        if (before != null) {
            // A rebuild within the file system's clock tick must still count as a change.
            Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 1000));
        }
        return file;
    }

    /** Sees the service files of {@code jars} only, and loads classes from the test class path. */
    private static ClassLoader loader(Path... jars) throws IOException {
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            urls.add(jar.toUri().toURL());
        }
        return new URLClassLoader(urls.toArray(URL[]::new), DiscoveryCacheTest.class.getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.startsWith("META-INF/services/") ? findResources(name) : super.getResources(name);
            }
        };
    }

    private DiscoveryCache cache(ClassLoader loader, Path... classPath) {
        return new DiscoveryCache(List.of(classPath), loader, Optional.of(dir.resolve("cache")), "test-jdk 1");
    }

    private static List<String> serviceLoader(ClassLoader loader) {
        return ServiceLoader.load(SandboxBackend.class, loader).stream().map(p -> p.type().getName()).toList();
    }

    @Test
    void firstRunScans_laterRunsReadTheEntry() throws IOException {
        Path a = jar(dir.resolve("a.jar"), List.of(BETA, ALPHA), null);
        ClassLoader loader = loader(a);

        DiscoveryCache first = cache(loader, a);
        assertEquals(Optional.of(List.of(BETA, ALPHA)), first.names(SandboxBackend.class));
        assertFalse(first.answeredFromFile());

        DiscoveryCache second = cache(loader, a);
        assertEquals(Optional.of(List.of(BETA, ALPHA)), second.names(SandboxBackend.class));
        assertEquals(Optional.of(List.of()), second.names(RunListener.class));
        assertTrue(second.answeredFromFile());
    }

    @Test
    void aRebuiltJar_isScannedAgain() throws IOException {
        Path a = jar(dir.resolve("a.jar"), List.of(ALPHA), null);
        cache(loader(a), a).names(SandboxBackend.class);

        jar(a, List.of(ALPHA, GAMMA), null);
        DiscoveryCache after = cache(loader(a), a);
        assertEquals(Optional.of(List.of(ALPHA, GAMMA)), after.names(SandboxBackend.class));
        assertFalse(after.answeredFromFile());
    }

    @Test
    void aJarReachedThroughAManifestClassPath_isWatchedToo() throws IOException {
        Path b = jar(dir.resolve("lib/b.jar"), List.of(BETA), null);
        Path a = jar(dir.resolve("a.jar"), List.of(), "lib/b.jar lib/not-there-yet.jar");
        assertEquals(Optional.of(List.of(BETA)), cache(loader(a, b), a).names(SandboxBackend.class));
        DiscoveryCache again = cache(loader(a, b), a);
        assertEquals(Optional.of(List.of(BETA)), again.names(SandboxBackend.class));
        assertTrue(again.answeredFromFile());

        jar(b, List.of(BETA, GAMMA), null);
        DiscoveryCache changed = cache(loader(a, b), a);
        assertEquals(Optional.of(List.of(BETA, GAMMA)), changed.names(SandboxBackend.class));
        assertFalse(changed.answeredFromFile());

        Path appeared = jar(dir.resolve("lib/not-there-yet.jar"), List.of(ALPHA), null);
        DiscoveryCache grown = cache(loader(a, b, appeared), a);
        assertEquals(Optional.of(List.of(BETA, GAMMA, ALPHA)), grown.names(SandboxBackend.class));
        assertFalse(grown.answeredFromFile());
    }

    @Test
    void aDirectoryOnTheClassPath_isNeverCached() throws IOException {
        Path a = jar(dir.resolve("a.jar"), List.of(ALPHA), null);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertEquals(Optional.empty(), cache(loader(a), a, classes).names(SandboxBackend.class));
        assertFalse(Files.exists(dir.resolve("cache")), "nothing written");
    }

    @Test
    void aCorruptOrForeignEntry_isScannedAgainAndRewritten() throws IOException {
        Path a = jar(dir.resolve("a.jar"), List.of(ALPHA), null);
        cache(loader(a), a).names(SandboxBackend.class);
        try (var entries = Files.list(dir.resolve("cache"))) {
            Path entry = entries.findFirst().orElseThrow();
            String text = Files.readString(entry);
            for (String broken : List.of("garbage", text.substring(0, text.length() - 4),
                    text.replace(ALPHA, ALPHA + " " + GAMMA).replace("end\n", "spi x\nend\n"))) {
                Files.writeString(entry, broken);
                DiscoveryCache again = cache(loader(a), a);
                assertEquals(Optional.of(List.of(ALPHA)), again.names(SandboxBackend.class), broken);
                assertFalse(again.answeredFromFile());
            }
        }
        DiscoveryCache rewritten = cache(loader(a), a);
        assertEquals(Optional.of(List.of(ALPHA)), rewritten.names(SandboxBackend.class));
        assertTrue(rewritten.answeredFromFile(), "the last scan wrote a good entry back");
    }

    @Test
    void anotherJdk_isAnotherEntry() throws IOException {
        Path a = jar(dir.resolve("a.jar"), List.of(ALPHA), null);
        cache(loader(a), a).names(SandboxBackend.class);
        DiscoveryCache otherJdk = new DiscoveryCache(List.of(a), loader(a), Optional.of(dir.resolve("cache")),
                "test-jdk 2");
        otherJdk.names(SandboxBackend.class);
        assertFalse(otherJdk.answeredFromFile());
    }

    @Test
    void onlyCordonsSpisAreAnswered() throws IOException {
        Path a = jar(dir.resolve("a.jar"), List.of(ALPHA), null);
        assertEquals(Optional.empty(), cache(loader(a), a).names(Runnable.class));
    }

    /** Whatever the jars hold, and in whatever order, an entry replays exactly ServiceLoader's answer. */
    @Property(tries = 30)
    void anEntryReplaysServiceLoader(@ForAll @Size(max = 4) List<@IntRange(max = 2) Integer> first,
            @ForAll @Size(max = 4) List<@IntRange(max = 2) Integer> second) throws IOException {
        List<String> names = List.of(ALPHA, BETA, GAMMA);
        Path work = Files.createTempDirectory("cordon-discovery-");  // jqwik does not inject @TempDir
        try {
            replays(names, first, second, work);
        } finally {
            try (var files = Files.walk(work)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static void replays(List<String> names, List<Integer> first, List<Integer> second, Path work)
            throws IOException {
        Path a = jar(work.resolve("a.jar"), first.stream().map(names::get).distinct().toList(), "b.jar");
        Path b = jar(work.resolve("b.jar"), second.stream().map(names::get).distinct().toList(), null);
        ClassLoader loader = loader(a, b);
        Optional<Path> cacheDir = Optional.of(work.resolve("cache"));
        new DiscoveryCache(List.of(a), loader, cacheDir, "jdk").names(SandboxBackend.class);
        DiscoveryCache replay = new DiscoveryCache(List.of(a), loader, cacheDir, "jdk");
        assertEquals(Optional.of(serviceLoader(loader)), replay.names(SandboxBackend.class));
        assertTrue(replay.answeredFromFile());
    }
}
