package dev.cordon.internal.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cordon.RunnerInvocation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Where a warning goes: Cargo's protocol only where stdout is the build-script protocol. */
class MessagesTest {
    @ParameterizedTest
    @EnumSource(RunnerInvocation.Kind.class)
    void warning_isACargoWarningOnlyWhereStdoutIsTheBuildScriptProtocol(RunnerInvocation.Kind kind) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RunnerInvocation call = new RunnerInvocation(kind, Path.of("/bin/true"), List.of(), Path.of("/"),
                Map.of("CARGO_PKG_NAME", "probe"), kind == RunnerInvocation.Kind.MACRO ? List.of("evil") : List.of());
        new Messages(out, err).warning(call, "cordon: two\nlines");
        boolean protocol = kind == RunnerInvocation.Kind.BUILD_SCRIPT || kind == RunnerInvocation.Kind.OTHER;
        // A test's or rustc's stdout is its own output: a protocol line there would only be printed, never acted on.
        assertEquals(protocol ? "cargo::warning=cordon: two lines\n" : "", out.toString(StandardCharsets.UTF_8));
        assertEquals("cordon: two\nlines\n", err.toString(StandardCharsets.UTF_8));
    }
}
