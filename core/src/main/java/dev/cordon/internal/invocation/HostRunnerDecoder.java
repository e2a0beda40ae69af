package dev.cordon.internal.invocation;

import dev.cordon.CordonException;
import dev.cordon.ExitCodes;
import dev.cordon.RunnerInvocation;
import dev.cordon.spi.InvocationDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes Cargo's {@code [host] runner} convention: {@code runner [runner-args] <program> [args]},
 * where the runner's own options were already taken off and {@code program} is the absolute path of the
 * build-script executable ({@code build-script-build}, {@code build_script_build} or any other name: the
 * file is treated as opaque).
 */
public final class HostRunnerDecoder implements InvocationDecoder {

    /** The decoder's id. */
    public static final String ID = "host-runner";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return -100; // the fallback: more specific conventions are asked first
    }

    @Override
    public Optional<RunnerInvocation> decode(List<String> arguments, Path workingDirectory,
            Map<String, String> environment) {
        if (arguments.isEmpty()) {
            throw new CordonException("no build-script program given: Cargo calls a host runner as "
                    + "'runner [runner-args] <build-script>'; configure it with [host] runner = "
                    + "[\"/abs/path/to/runner\"] in .cargo/config.toml", ExitCodes.USAGE);
        }
        Path program = Path.of(arguments.getFirst());
        if (!program.isAbsolute()) {
            program = workingDirectory.resolve(program);
        }
        if (!Files.isRegularFile(program)) {
            throw new CordonException("build-script program '" + arguments.getFirst() + "' does not exist "
                    + "or is not a file (resolved to " + program + ")", ExitCodes.BAD_INVOCATION);
        }
        RunnerInvocation.Kind kind = environment.containsKey("OUT_DIR") && environment.containsKey("CARGO_PKG_NAME")
                ? RunnerInvocation.Kind.BUILD_SCRIPT : RunnerInvocation.Kind.OTHER;
        return Optional.of(new RunnerInvocation(kind, program.normalize(),
                arguments.subList(1, arguments.size()), workingDirectory, environment));
    }
}
