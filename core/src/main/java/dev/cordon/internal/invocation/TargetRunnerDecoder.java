package dev.cordon.internal.invocation;

import dev.cordon.RunnerInvocation;
import dev.cordon.spi.InvocationDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes Cargo's {@code [target.<triple>] runner} convention, which {@code cargo run}, {@code cargo test}
 * and {@code cargo bench} use on stable Cargo: {@code runner [runner-args] <binary> [its args]}, in the
 * package root, with {@code CARGO_PKG_NAME} and {@code CARGO_MANIFEST_DIR} set (and {@code OUT_DIR} when the
 * package has a build script).
 *
 * <p>A build-script call looks alike, so this decoder declines it, leaving it to
 * {@link HostRunnerDecoder}, when either sign of one is there: the program lies in Cargo's build-script
 * directory ({@code .../build/<pkg>-<hash>/}, where both the {@code [host] runner}'s program and
 * {@code cordon-rustc}'s real build-script binary live; test and binary executables never do), or Cargo's
 * build-script-only variables are all set ({@code OUT_DIR}, {@code HOST}, {@code TARGET},
 * {@code NUM_JOBS}), which Cargo never sets for a run.
 */
public final class TargetRunnerDecoder implements InvocationDecoder {

    /** The decoder's id. */
    public static final String ID = "target-runner";

    private static final List<String> BUILD_SCRIPT_VARIABLES = List.of("OUT_DIR", "HOST", "TARGET", "NUM_JOBS");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return -50; // before the host-runner fallback, after decoders of more specific conventions
    }

    @Override
    public Optional<RunnerInvocation> decode(List<String> arguments, Path workingDirectory,
            Map<String, String> environment) {
        if (arguments.isEmpty() || !present(environment, "CARGO_PKG_NAME")
                || !present(environment, "CARGO_MANIFEST_DIR")) {
            return Optional.empty();
        }
        Path program = Path.of(arguments.getFirst());
        if (!program.isAbsolute()) {
            program = workingDirectory.resolve(program);
        }
        program = program.normalize();
        if (isBuildScriptCall(program, environment) || !Files.isRegularFile(program)) {
            return Optional.empty(); // the host-runner decoder decides, and reports a missing file
        }
        return Optional.of(new RunnerInvocation(RunnerInvocation.Kind.RUN, program,
                arguments.subList(1, arguments.size()), workingDirectory, environment));
    }

    /**
     * Tells whether a call has a sign of a build-script call.
     *
     * @param program the absolute, normalised program
     * @param environment the call's environment
     * @return true when the program lies in a build-script directory or every build-script-only variable is set
     */
    static boolean isBuildScriptCall(Path program, Map<String, String> environment) {
        Path dir = program.getParent();
        Path grandparent = dir == null ? null : dir.getParent();
        if (grandparent != null && grandparent.getFileName() != null
                && grandparent.getFileName().toString().equals("build")) {
            return true;
        }
        for (String name : BUILD_SCRIPT_VARIABLES) {
            if (!present(environment, name)) {
                return false;
            }
        }
        return true;
    }

    private static boolean present(Map<String, String> environment, String name) {
        String value = environment.get(name);
        return value != null && !value.isEmpty();
    }
}
