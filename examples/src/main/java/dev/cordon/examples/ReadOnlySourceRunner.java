package dev.cordon.examples;

import dev.cordon.Runner;
import dev.cordon.RunnerInvocation;
import dev.cordon.SourceMode;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * For read-only source trees (Nix, Bazel, vendored sources): every package directory stays read-only,
 * so a build script that writes into its sources fails at once with the file and the crate named;
 * the crates listed in {@code CORDON_COPY_SOURCES} (comma-separated package names) instead run against
 * a private, writable copy of their package ({@code source = "copy"}), leaving the original untouched.
 *
 * <p>Policy: {@code --policy FILE}, else {@code $CORDON_POLICY}, else Cordon's defaults.
 */
public final class ReadOnlySourceRunner {
    private ReadOnlySourceRunner() {
    }

    /** @param args Cargo's runner arguments: {@code [--policy FILE] <build-script>} */
    public static void main(String[] args) {
        System.exit(Runner.builder().refineGrants((invocation, grant) -> copied(invocation).contains(grant.crateName())
                ? grant.toBuilder().source(SourceMode.COPY).build() : grant).build().run(args));
    }

    // Read per call: under the plan daemon one main serves every build, each with its own environment.
    private static Set<String> copied(RunnerInvocation invocation) {
        return Arrays.stream(invocation.environment().getOrDefault("CORDON_COPY_SOURCES", "").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }
}
