package dev.cordon.usecases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.internal.live.LiveLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveOutputTest {
    @TempDir
    Path dir;

    @Test
    void liveLog_prefixesTimeCrateAndStream() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Clock clock = Clock.fixed(Instant.parse("2026-11-21T12:03:04.123Z"), ZoneOffset.UTC);
        LiveLog log = new LiveLog("ring", dev.cordon.internal.live.LineSink.of(sink), clock);
        log.line("stderr", "compiling crypto/curve25519.c");
        assertEquals("12:03:04.123 [ring] stderr| compiling crypto/curve25519.c\n",
                sink.toString(StandardCharsets.UTF_8));
    }

    @Test
    void runner_copiesEachLineToTheLiveLogFileWhileCargoGetsUntouchedStdout() throws IOException {
        BuildScriptFixture f = new BuildScriptFixture(dir, "ring",
                "echo cargo::rustc-cfg=fast; echo 'cc -O2 x.c' >&2; printf 'cargo::rerun-if-changed=build.rs\\n'");
        f.env.put("CORDON_LIVE_LOG", "cordon/live.log"); // relative: inside the target dir
        assertEquals(0, f.run(f.runner()));
        assertEquals("cargo::rustc-cfg=fast\ncargo::rerun-if-changed=build.rs\n", withoutRunnerWarnings(f.out()));
        List<String> live = Files.readAllLines(dir.resolve("target/cordon/live.log"));
        assertEquals(3, live.size(), live.toString());
        assertTrue(live.stream().allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[ring\\] std(out|err)\\| .*")),
                live.toString());
        assertTrue(live.stream().anyMatch(l -> l.endsWith("[ring] stdout| cargo::rustc-cfg=fast")), live.toString());
        assertTrue(live.stream().anyMatch(l -> l.endsWith("[ring] stderr| cc -O2 x.c")), live.toString());
        assertTrue(f.err().contains("cc -O2 x.c"), "the script's stderr still reaches Cargo: " + f.err());
    }

    @Test
    void runner_liveLogToStderrKeepsTheRawStderrToo() throws IOException {
        BuildScriptFixture f = new BuildScriptFixture(dir, "zlib", "echo warning: old zlib >&2");
        f.env.put("CORDON_LIVE_LOG", "stderr");
        assertEquals(0, f.run(f.runner()));
        assertTrue(f.err().contains("[zlib] stderr| warning: old zlib"), f.err());
        assertTrue(f.err().lines().anyMatch(l -> l.equals("warning: old zlib")), f.err());
    }

    @Test
    void runner_liveLogAppendsAcrossBuildScripts() throws IOException {
        Path log = dir.resolve("live.log");
        for (String crate : List.of("a", "b")) {
            BuildScriptFixture f = new BuildScriptFixture(dir.resolve(crate), crate, "echo hello from " + crate);
            f.env.put("CORDON_LIVE_LOG", log.toString());
            assertEquals(0, f.run(f.runner()));
        }
        List<String> live = Files.readAllLines(log);
        assertEquals(2, live.size(), live.toString());
        assertTrue(live.get(0).endsWith("[a] stdout| hello from a") && live.get(1).endsWith("[b] stdout| hello from b"),
                live.toString());
    }

    private static String withoutRunnerWarnings(String stdout) {
        return stdout.replaceAll("(?m)^cargo::warning=cordon: .*\n", "");
    }
}
