package dev.cordon.examples;

import dev.cordon.Grant;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.Runner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Per-script environment control for reproducible builds: the policy's {@code env} tables decide, per
 * crate, what each build script sees ({@code pass}, {@code set}, {@code drop}); on top of that every
 * script gets {@code SOURCE_DATE_EPOCH} (the policy's or Cargo's value, else {@value #DEFAULT_EPOCH},
 * 1980-01-01) and {@code TMPDIR}, {@code TMP} and {@code TEMP} all pointing at its private temporary
 * directory, which lies inside Cargo's target dir ({@code <target>/<profile>/build/<pkg>-<hash>/cordon-tmp}).
 *
 * <p>Policy: {@code --policy FILE}, else {@code $CORDON_POLICY}, else the bundled
 * {@code environment-control.toml} (fixed locale and time zone).
 */
public final class EnvironmentControlRunner {
    /** {@code SOURCE_DATE_EPOCH} when neither the policy nor Cargo sets one: 1980-01-01T00:00:00Z. */
    public static final String DEFAULT_EPOCH = "315532800";

    private EnvironmentControlRunner() {
    }

    /** @param args Cargo's runner arguments: {@code [--policy FILE] <build-script>} */
    public static void main(String[] args) {
        System.exit(Runner.builder().fallbackPolicy(bundled()).refineGrants((invocation, grant) -> {
            Grant.Builder b = grant.toBuilder();
            String tmp = grant.temporaryDirectory().toString();
            b.environment("TMPDIR", tmp).environment("TMP", tmp).environment("TEMP", tmp);
            if (!grant.environment().containsKey("SOURCE_DATE_EPOCH")) {
                b.environment("SOURCE_DATE_EPOCH", DEFAULT_EPOCH);
            }
            return b.build();
        }).build().run(args));
    }

    private static Policy bundled() {
        try (InputStream in = EnvironmentControlRunner.class.getResourceAsStream("environment-control.toml")) {
            return Policies.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    Path.of("environment-control.toml").toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
