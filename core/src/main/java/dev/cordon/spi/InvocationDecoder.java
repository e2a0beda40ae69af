package dev.cordon.spi;

import dev.cordon.RunnerInvocation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recognises one way of being called and decodes it into a {@link RunnerInvocation}.
 *
 * <p>Cordon ships the decoder for Cargo's {@code [host] runner} convention ({@code runner
 * [runner-args] <program> [args]}). Others (for example a linker-stub convention for stable Cargo) are
 * providers found with {@link java.util.ServiceLoader}; the one with the highest {@link #priority()}
 * that recognises the call wins.
 *
 * @since 0.1
 */
public interface InvocationDecoder {

    /** {@return the unique id; never null} */
    String id();

    /** {@return the order in which decoders are asked: higher first} */
    default int priority() {
        return 0;
    }

    /**
     * Decodes a call.
     *
     * @param arguments the runner's arguments after its own options: normally the program and its
     *     arguments
     * @param workingDirectory the runner's working directory
     * @param environment the runner's environment
     * @return the invocation, or empty when this decoder does not recognise the call
     * @throws dev.cordon.CordonException when the call is recognised but malformed
     */
    Optional<RunnerInvocation> decode(List<String> arguments, Path workingDirectory,
            Map<String, String> environment);
}
