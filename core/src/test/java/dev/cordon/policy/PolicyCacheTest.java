package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.internal.policy.cache.PolicyCache;
import dev.cordon.internal.policy.evaluation.TomlPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCacheTest {
    @TempDir
    Path dir;
    Path cache;

    @BeforeEach
    void pinCache() {
        cache = dir.resolve("cache/cordon");
        System.setProperty("cordon.cache.dir", cache.toString());
    }

    @AfterEach
    void unpinCache() {
        System.clearProperty("cordon.cache.dir");
    }

    @Test
    void load_writesAPrivateCacheEntryAndReadsItBack() throws IOException {
        Path file = Fixtures.copy("design.toml", dir);
        TomlPolicy first = (TomlPolicy) Policies.load(file);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        assertEquals(1, entries().size());
        TomlPolicy second = (TomlPolicy) Policies.load(file);
        assertEquals(first.model(), second.model());
        assertEquals(file.toAbsolutePath().toString(), second.name());
    }

    @Test
    void write_prunesEntriesNotWrittenForNinetyDays() throws IOException {
        Files.createDirectories(cache);
        java.nio.file.attribute.FileTime longAgo = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofDays(91)));
        java.nio.file.attribute.FileTime lastMonth = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofDays(30)));
        Path stale = Files.writeString(cache.resolve("policy-" + "0".repeat(64) + ".bin"), "x");
        Path recent = Files.writeString(cache.resolve("policy-" + "1".repeat(64) + ".bin"), "x");
        Path other = Files.writeString(cache.resolve("bwrap-ok-1234"), "x");
        Files.setLastModifiedTime(stale, longAgo);
        Files.setLastModifiedTime(recent, lastMonth);
        Files.setLastModifiedTime(other, longAgo);

        Policies.load(Fixtures.copy("design.toml", dir));

        assertFalse(Files.exists(stale), "an entry unwritten for 91 days is gone");
        assertTrue(Files.exists(recent), "a 30-day-old entry stays");
        assertTrue(Files.exists(other), "other kinds of entry are left to their owners");
        assertEquals(2, entries().stream().filter(e -> e.getFileName().toString().startsWith("policy-")).count(),
                "the recent entry and the new one");
    }

    @Test
    void load_corruptEntryIsIgnoredAndRebuilt() throws IOException {
        Path file = Fixtures.copy("design.toml", dir);
        TomlPolicy first = (TomlPolicy) Policies.load(file);
        Path entry = entries().getFirst();
        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(entry, bytes);
        assertEquals(first.model(), ((TomlPolicy) Policies.load(file)).model());
        Files.write(entry, "garbage".getBytes(StandardCharsets.UTF_8));
        assertEquals(first.model(), ((TomlPolicy) Policies.load(file)).model());
        assertEquals(first.model(), PolicyCache.read(cache, key(file)).orElseThrow(), "entry was rewritten");
    }

    @Test
    void load_changedFileIsCompiledAgain() throws IOException {
        Path file = dir.resolve("cordon.toml");
        Files.writeString(file, "[permissions.build]\nnetwork-access = { action = \"deny\" }\n");
        assertEquals("none", Policies.load(file).decide(Fixtures.invocation("x")).network().describe());
        Files.writeString(file, "[permissions.build]\nnetwork-access = { action = \"permit\" }\n");
        assertEquals("all", Policies.load(file).decide(Fixtures.invocation("x")).network().describe());
        assertEquals(2, entries().size());
    }

    @Test
    void load_unwritableCacheStillLoads() throws IOException {
        Files.createDirectories(cache.getParent());
        Files.writeString(cache, "a file where the cache folder should be");
        Path file = Fixtures.copy("design.toml", dir);
        assertEquals(Fixtures.POLICY.getParent().relativize(Fixtures.POLICY).toString(), "cordon.toml");
        assertTrue(Policies.load(file).decide(Fixtures.invocation("sqlx")).network().describe().startsWith("routes"));
    }

    @Test
    void load_concurrentLoadsOfAnUncachedPolicyAgree() throws Exception {
        Path file = Fixtures.copy("design.toml", dir);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Policy>> loads = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                loads.add(pool.submit(() -> Policies.load(file)));
            }
            TomlPolicy expected = (TomlPolicy) Policies.parse(Files.readString(file), file);
            for (Future<Policy> f : loads) {
                assertEquals(expected.model(), ((TomlPolicy) f.get()).model());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(1, entries().size(), "no temporary files left behind: " + entries());
    }

    @Test
    void load_cachedRunLoadsNeitherDatabindNorValidator() throws Exception {
        Path file = Fixtures.copy("design.toml", dir);
        Run uncached = runFreshJvm(file);
        Run cached = runFreshJvm(file);
        assertTrue(uncached.classes().stream().anyMatch(c -> c.startsWith("org.hibernate.validator.")),
                "the first run validates");
        assertTrue(uncached.classes().stream().anyMatch(c -> c.startsWith("com.fasterxml.jackson.databind.")));
        List<String> heavy = cached.classes().stream().filter(c -> c.startsWith("com.fasterxml.jackson.databind.")
                || c.startsWith("org.hibernate.validator.") || c.startsWith("jakarta.validation.")).toList();
        assertEquals(List.of(), heavy, "the cached run loaded parser or validator classes");
        // Issue 16: the cache hit never enters the reading stage (binding classes, constraints, the compiler);
        // only the library-free key helpers may be used by evaluation.
        List<String> reading = cached.classes().stream().filter(c -> c.startsWith("dev.cordon.internal.policy.reading.")
                && !c.equals("dev.cordon.internal.policy.reading.KeyPath")
                && !c.equals("dev.cordon.internal.policy.reading.PolicyKeys")).toList();
        assertEquals(List.of(), reading, "the cached run loaded the policy reading stage");
        assertTrue(uncached.classes().contains("dev.cordon.internal.policy.reading.TomlBinding"), "the first run binds");
        List<String> jackson = cached.classes().stream().filter(c -> c.startsWith("com.fasterxml.jackson.")).toList();
        assertEquals(List.of(), jackson, "the cached run loaded Jackson");
        List<String> ours = cached.classes().stream().filter(c -> c.startsWith("dev.cordon.") && !c.contains("$$Lambda"))
                .toList();
        assertTrue(ours.size() < 40, "cached path loads few classes: " + ours);
        assertTrue(uncached.stderr().isEmpty(), "nothing on stderr (no validator banner): " + uncached.stderr());
        assertTrue(cached.stderr().isEmpty(), cached.stderr());
        System.out.printf("Policies.load: uncached %s us, cached %s us; cached run loaded %d classes (%d Cordon)%n",
                uncached.value("CORDON_LOAD_MICROS"), cached.value("CORDON_LOAD_MICROS"), cached.classes().size(),
                ours.size());
    }

    record Run(List<String> classes, List<String> stdout, String stderr) {
        String value(String key) {
            return stdout.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + stdout));
        }
    }

    private Run runFreshJvm(Path file) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xshare:auto", "-Xlog:class+load=info:stdout",
                "-cp", System.getProperty("java.class.path"), LoadPolicyMain.class.getName(), file.toString());
        pb.environment().put("CORDON_CACHE_DIR", cache.toString());
        Path err = dir.resolve("stderr.txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", out) + Files.readString(err));
        List<String> classes = new ArrayList<>();
        List<String> stdout = new ArrayList<>();
        for (String line : out) {
            int tag = line.indexOf("[class,load] ");
            if (tag >= 0) {
                String rest = line.substring(tag + "[class,load] ".length());
                classes.add(rest.substring(0, rest.indexOf(' ') < 0 ? rest.length() : rest.indexOf(' ')));
            } else {
                stdout.add(line);
            }
        }
        return new Run(classes, stdout, Files.readString(err));
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.sorted().toList();
        }
    }

    private static String key(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        return PolicyCache.key(Files.readAllBytes(abs), abs);
    }

    static {
        assertFalse(Fixtures.POLICY.toString().isEmpty());
    }
}
