package dev.cordon.examples;

import dev.cordon.Grant;
import dev.cordon.LiveLogSink;
import dev.cordon.Runner;
import dev.cordon.RunnerInvocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * For debugging a build: every build script's output streamed live, with timestamps, to
 * {@code <target>/cordon/live.log} (or wherever {@code CORDON_LIVE_LOG} says); a script that runs
 * longer than {@code DEBUG_TIMEOUT} (ISO-8601, default {@code PT10M}; a policy's own {@code timeout}
 * wins) killed with a report of what it was doing; and one JSON line per script appended to
 * {@code DEBUG_AUDIT_LOG} (default {@code <target>/cordon/runs.jsonl}) by a {@link JsonLinesListener}.
 *
 * <p>Policy: {@code --policy FILE}, else {@code $CORDON_POLICY}, else Cordon's defaults.
 */
public final class DebuggingRunner {
    private DebuggingRunner() {
    }

    /** @param args Cargo's runner arguments: {@code [--policy FILE] <build-script>} */
    public static void main(String[] args) {
        // The audit log's place is fixed when the runner starts (a listener hears of runs, not of calls).
        Map<String, String> env = System.getenv();
        Path target = RunnerInvocation.of(Path.of("build-script"), Path.of(""), env).targetDir()
                .orElse(Path.of(System.getProperty("java.io.tmpdir")));
        Path audit = Path.of(env.getOrDefault("DEBUG_AUDIT_LOG", target.resolve("cordon/runs.jsonl").toString()));
        System.exit(Runner.builder().refineGrants(DebuggingRunner::refine).listener(new JsonLinesListener(audit))
                .build().run(args));
    }

    // Per call, from the caller's environment: the plan daemon runs main once for many builds.
    private static Grant refine(RunnerInvocation invocation, Grant grant) {
        Grant.Builder b = grant.toBuilder();
        if (grant.timeout().isEmpty()) {
            b.timeout(Duration.parse(invocation.environment().getOrDefault("DEBUG_TIMEOUT", "PT10M")));
        }
        if (grant.liveLog().isEmpty()) {
            // relative: inside Cargo's target dir; CORDON_LIVE_LOG still wins
            b.liveLog(LiveLogSink.file(Path.of("cordon/live.log")));
        }
        return b.build();
    }
}
