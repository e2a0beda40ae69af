package dev.cordon.examples;

import dev.cordon.Policy;
import dev.cordon.Runner;
import dev.cordon.RunnerInvocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
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
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putIfAbsent("CORDON_LIVE_LOG", "cordon/live.log"); // relative: inside Cargo's target dir
        Duration timeout = Duration.parse(env.getOrDefault("DEBUG_TIMEOUT", "PT10M"));
        Path target = RunnerInvocation.of(Path.of("build-script"), Path.of(""), env).targetDir()
                .orElse(Path.of(System.getProperty("java.io.tmpdir")));
        Path audit = Path.of(env.getOrDefault("DEBUG_AUDIT_LOG", target.resolve("cordon/runs.jsonl").toString()));
        Policy policy = new RefinedPolicy(BasePolicy.of(args, env, Policy::defaults),
                (invocation, grant) -> grant.timeout().isPresent() ? grant : grant.toBuilder().timeout(timeout).build());
        System.exit(Runner.builder().environment(env).policy(policy).listener(new JsonLinesListener(audit))
                .build().run(args));
    }
}
