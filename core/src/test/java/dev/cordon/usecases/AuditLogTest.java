package dev.cordon.usecases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.NetworkAccess;
import dev.cordon.RunEvent;
import dev.cordon.TimeLimit;
import dev.cordon.internal.audit.AuditRecord;
import dev.cordon.internal.audit.CommandRedaction;
import dev.cordon.internal.audit.JsonLinesAuditLog;
import dev.cordon.spi.RunListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static RunEvent event(String crate, List<String> command) {
        return new RunEvent(crate, Optional.of("1.0.0"), "/p/cordon.toml", Optional.of("ab12"),
                NetworkAccess.Mode.NONE, 2, 5, "bwrap", command, Instant.parse("2026-11-21T12:03:04.123Z"),
                Duration.ofMillis(1500), 0, Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Test
    void auditLog_keepsEveryLineWholeUnderParallelWriters() throws Exception {
        Path log = dir.resolve("logs/audit.jsonl");
        int threads = 8;
        int events = 50;
        String bulky = "x".repeat(3000); // lines well beyond a small buffer, to catch split writes
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                JsonLinesAuditLog own = new JsonLinesAuditLog(log); // one per runner process in real builds
                go.await();
                for (int i = 0; i < events; i++) {
                    own.finished(event("crate-" + thread + "-" + i, List.of("sh", "-c", "line1\nline2 \"" + bulky)));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertEquals(threads * events, lines.size());
        Set<String> crates = new HashSet<>();
        for (String line : lines) {
            JsonNode record = JSON.readTree(line);
            crates.add(record.get("crate").asText());
            assertEquals("line1\nline2 \"" + bulky, record.get("command").get(2).asText());
        }
        assertEquals(threads * events, crates.size());
    }

    @Test
    void auditRecord_hasEveryDocumentedField() throws IOException {
        RunEvent e = new RunEvent("ring", Optional.empty(), "built-in defaults", Optional.empty(),
                NetworkAccess.Mode.ROUTES, 1, 0, "none", List.of("/b"), Instant.EPOCH, Duration.ofSeconds(2), 124,
                Optional.of("SIGKILL"), Optional.of(TimeLimit.IDLE), Optional.of("refused a write"));
        JsonNode r = JSON.readTree(AuditRecord.line(e));
        assertEquals("1970-01-01T00:00:00Z", r.get("time").asText());
        assertTrue(r.get("version").isNull());
        assertTrue(r.get("policySha256").isNull());
        assertEquals("routes", r.get("network").asText());
        assertEquals(1, r.get("writable").asInt());
        assertEquals(0, r.get("hidden").asInt());
        assertEquals("none", r.get("backend").asText());
        assertEquals(2000, r.get("durationMs").asLong());
        assertEquals(124, r.get("exitCode").asInt());
        assertEquals("SIGKILL", r.get("signal").asText());
        assertEquals("idle-timeout", r.get("timedOut").asText());
        assertEquals("refused a write", r.get("denial").asText());
        assertTrue(JSON.readTree(AuditRecord.line(event("serde", List.of("/b")))).get("denial").isNull());
    }

    @Property(tries = 300)
    void auditRecord_isOneLineThatRoundTripsAnyString(@ForAll String crate, @ForAll String arg) throws IOException {
        String line = AuditRecord.line(event(crate, List.of(arg)));
        assertEquals(line.length() - 1, line.indexOf('\n'));
        JsonNode r = JSON.readTree(line);
        assertEquals(crate, r.get("crate").asText());
        assertEquals(arg, r.get("command").get(0).asText());
    }

    @Test
    void redact_hidesSecretValuesInAssignmentsAndSetenv() {
        assertEquals(List.of("env", "GITHUB_TOKEN=<redacted>", "CC=gcc", "bwrap", "--setenv", "AWS_SECRET_ACCESS_KEY",
                "<redacted>", "--setenv", "PATH", "/bin", "--dev", "/dev"),
                CommandRedaction.redact(List.of("env", "GITHUB_TOKEN=ghp_x", "CC=gcc", "bwrap", "--setenv",
                        "AWS_SECRET_ACCESS_KEY", "s3cr3t", "--setenv", "PATH", "/bin", "--dev", "/dev")));
    }

    @Test
    void runner_appendsOneRecordPerBuildScriptToCordonAuditLog() throws IOException {
        BuildScriptFixture f = new BuildScriptFixture(dir, "ring", "echo cargo::rustc-cfg=ok; exit 3");
        Path log = dir.resolve("audit.jsonl");
        f.env.put("CORDON_AUDIT_LOG", log.toString());
        assertEquals(3, f.run(f.runner()));
        BuildScriptFixture other = new BuildScriptFixture(dir.resolve("b"), "zlib", "true");
        other.env.put("CORDON_AUDIT_LOG", log.toString());
        assertEquals(0, other.run(other.runner()));
        List<String> lines = Files.readAllLines(log);
        assertEquals(2, lines.size(), lines.toString());
        JsonNode ring = JSON.readTree(lines.get(0));
        assertEquals("ring", ring.get("crate").asText());
        assertEquals("1.2.3", ring.get("version").asText());
        assertEquals("none", ring.get("backend").asText());
        assertEquals(3, ring.get("exitCode").asInt());
        assertEquals(f.script.toString(), ring.get("command").get(0).asText());
        assertEquals("zlib", JSON.readTree(lines.get(1)).get("crate").asText());
    }

    @Test
    void runner_namesThePolicyFileAndItsHash() throws Exception {
        BuildScriptFixture f = new BuildScriptFixture(dir, "ring", "true");
        Path policy = Files.writeString(dir.resolve("cordon.toml"), "[sandbox]\nbackend = \"none\"\n");
        List<RunEvent> heard = new ArrayList<>();
        assertEquals(0, f.run(f.runner().listener(listener("test", heard::add))
                .environment(with(f, "CORDON_POLICY", policy.toString()))));
        assertEquals(1, heard.size());
        String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(policy)));
        assertEquals(Optional.of(expected), heard.getFirst().policySha256());
        assertEquals(NetworkAccess.Mode.NONE, heard.getFirst().network());
    }

    @Test
    void runner_listenerFailureIsReportedAndNeverFailsTheBuild() throws IOException {
        BuildScriptFixture f = new BuildScriptFixture(dir, "ring", "echo cargo::rustc-cfg=ok");
        List<RunEvent> heard = new ArrayList<>();
        int code = f.run(f.runner().listener(listener("broken", e -> {
            throw new IllegalStateException("disk on fire");
        })).listener(listener("fine", heard::add)));
        assertEquals(0, code);
        assertTrue(f.err().contains("run listener 'broken' failed") && f.err().contains("disk on fire"), f.err());
        assertEquals(1, heard.size());
    }

    @Test
    void runner_auditLogThatCannotBeWrittenNeverFailsTheBuild() throws IOException {
        BuildScriptFixture f = new BuildScriptFixture(dir, "ring", "true");
        Path notADir = Files.writeString(dir.resolve("file"), "");
        f.env.put("CORDON_AUDIT_LOG", notADir.resolve("audit.jsonl").toString());
        assertEquals(0, f.run(f.runner()));
        assertTrue(f.err().contains("CORDON_AUDIT_LOG"), f.err());
    }

    private static java.util.Map<String, String> with(BuildScriptFixture f, String key, String value) {
        f.env.put(key, value);
        return f.env;
    }

    private static RunListener listener(String id, java.util.function.Consumer<RunEvent> action) {
        return new RunListener() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public void finished(RunEvent event) {
                action.accept(event);
            }
        };
    }
}
