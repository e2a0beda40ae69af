package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExitCodes;
import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 item 1: a build script makes Cargo run its code on the host through a directive. Each hostile
 * crate (core/src/test/resources/hostile-directives) is first shown to escape under plain Cargo (its marker
 * file appears in the workspace root, which only host code can write), then built through the runner:
 * the directive firewall refuses the directive, names it, and the marker never appears.
 */
class DirectiveEscapeTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        RequiredTools.require("cc");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ld-preload", "path-linker", "link-arg-b", "link-arg-output"})
    void hostileDirective_escapesPlainCargoButIsRefusedByTheRunner(String crate) throws IOException {
        Path plain = workspace("plain", crate);
        var escaped = CargoProject.in(plain).workspace(List.of(), crate).build(plain.resolve("target"));
        assertTrue(Files.exists(plain.resolve("ESCAPED-" + crate)),
                "the probe must work without a runner, else this test proves nothing:\n" + escaped.stderr());

        Path sandboxed = workspace("runner", crate);
        var result = CargoProject.in(sandboxed).workspace(List.of(CargoProject.runnerLauncher().toString()), crate)
                .build(sandboxed.resolve("target"));
        assertFalse(Files.exists(sandboxed.resolve("ESCAPED-" + crate)), "escaped through the runner:\n"
                + result.stderr());
        assertTrue(result.exitCode() != 0, result.stderr());
        assertTrue(result.stderr().contains("cordon: refused the build-script directive \"cargo:"), result.stderr());
        assertTrue(result.stderr().contains("of crate '" + crate + "'"), result.stderr());
        // Cargo indents the script's stderr; the TOML that allows the directive is in it, line by line.
        assertTrue(result.stderr().contains("[permissions.build." + crate + "]"), result.stderr());
        assertTrue(result.stderr().contains("directives = { allow = [\"rustc-"), result.stderr());
        assertTrue(result.stderr().contains("(exit status: " + ExitCodes.DIRECTIVE_REFUSED + ")"), result.stderr());
        assertEquals(List.of(), result.buildScriptOutputs().values().stream().filter(o -> !o.isEmpty()).toList(),
                "Cargo kept no output of a refused run");
    }

    /**
     * A search path inside the target dir that holds a library the toolchain loads: plain {@code cargo test
     * --doc} runs the script's code in rustdoc; through the runner the build stops when the script ends.
     */
    @org.junit.jupiter.api.Test
    void searchPathWithAToolchainLibrary_escapesThroughRustdocButIsRefusedByTheRunner() throws Exception {
        String crate = "search-path-shadow";
        Path plain = workspace("plain", crate);
        CargoProject.in(plain).workspace(List.of(), crate);
        Process p = new ProcessBuilder(RequiredTools.require("cargo").toString(), "test", "--doc", "--offline", "-q")
                .directory(plain.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.MINUTES), log);
        assertTrue(Files.exists(plain.resolve("ESCAPED-" + crate)), "the probe must work without a runner:\n" + log);

        Path sandboxed = workspace("runner", crate);
        var result = CargoProject.in(sandboxed).workspace(List.of(CargoProject.runnerLauncher().toString()), crate)
                .build(sandboxed.resolve("target"));
        assertTrue(result.exitCode() != 0, result.stderr());
        assertTrue(result.stderr().contains("holds libz.so.1, a library rustdoc and the toolchain load"),
                result.stderr());
        assertTrue(result.stderr().contains("(exit status: " + ExitCodes.DIRECTIVE_REFUSED + ")"), result.stderr());
    }

    private Path workspace(String name, String crate) throws IOException {
        Path root = dir.resolve(name);
        Path source = Path.of(System.getProperty("cordon.repositoryRoot"), "core/src/test/resources/hostile-directives",
                crate);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : files.toList()) {
                Path to = root.resolve(crate).resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        return root;
    }
}
