package dev.cordon.internal.invocation;

import dev.cordon.CordonException;
import dev.cordon.ExitCodes;
import dev.cordon.RunnerInvocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes {@code cordon-runner macro --proc-macros A,B -- RUSTC ARGS...}, the call {@code bin/cordon-rustc}
 * makes for a rustc invocation that loads proc macros (issue 15), into a {@link RunnerInvocation.Kind#MACRO}
 * invocation. Not a discovered {@link dev.cordon.spi.InvocationDecoder}: the {@code macro} command says what
 * the call is, and the wrapper, not Cargo, found the proc-macro packages.
 *
 * <p>rustc's argument files ({@code @FILE}, one argument a line) are expanded, so that the grant sees every
 * path rustc will use and rustc gets the same arguments.
 */
public final class RustcMacroDecoder {
    private RustcMacroDecoder() {
    }

    /**
     * Decodes the call.
     *
     * @param command rustc and its arguments
     * @param procMacros the proc-macro packages the wrapper found
     * @param workingDirectory Cargo's directory for the rustc call
     * @param environment Cargo's environment for it
     * @return the invocation; never null
     * @throws CordonException when the command is empty, rustc is not a file, or an argument file is unreadable
     */
    public static RunnerInvocation decode(List<String> command, List<String> procMacros, Path workingDirectory,
            Map<String, String> environment) {
        if (command.isEmpty()) {
            throw new CordonException("no rustc command given: bin/cordon-rustc calls 'cordon-runner macro "
                    + "--proc-macros NAME,... -- RUSTC ARGS...'", ExitCodes.USAGE);
        }
        Path rustc = workingDirectory.resolve(command.getFirst()).normalize();
        if (!Files.isRegularFile(rustc)) {
            throw new CordonException("rustc '" + command.getFirst() + "' does not exist or is not a file (resolved to "
                    + rustc + ")", ExitCodes.BAD_INVOCATION);
        }
        List<String> arguments = new ArrayList<>();
        for (String arg : command.subList(1, command.size())) {
            if (arg.startsWith("@") && arg.length() > 1) {
                Path file = workingDirectory.resolve(arg.substring(1));
                try {
                    arguments.addAll(Files.readAllLines(file));
                } catch (IOException | java.io.UncheckedIOException e) {
                    throw new CordonException("cannot read rustc's argument file " + file + ": " + e.getMessage(),
                            ExitCodes.BAD_INVOCATION);
                }
            } else {
                arguments.add(arg);
            }
        }
        return new RunnerInvocation(RunnerInvocation.Kind.MACRO, rustc, arguments, workingDirectory, environment,
                procMacros);
    }
}
