package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExitCodes;
import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12 item 7: a fork bomb and a memory bomb (bounded hostile build scripts in
 * core/src/test/resources/hostile-limits) are stopped by small limits through the runner, with a message
 * that names the limit and the TOML that raises it, and nothing of theirs keeps running, on every launch path.
 */
class ResourceLimitsTest {
    @TempDir
    static Path shared;
    @TempDir
    Path dir;
    private static LaunchPaths paths;

    @BeforeAll
    static void tools() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        paths = LaunchPaths.in(shared.resolve("paths"));
    }

    @AfterAll
    static void stop() throws IOException {
        paths.close();
    }

    /** Every bomb through every launch path: the limits are set by each path's own spawner. */
    static Stream<Arguments> bombsOnEveryPath() {
        List<Arguments> all = new ArrayList<>();
        for (String path : List.of("cold", "warm", "stable", "team")) {
            all.add(Arguments.of(path, "fork-bomb", "processes = 64", "reached its limit of 64 processes",
                    "processes = 128"));
            all.add(Arguments.of(path, "memory-bomb", "memory = \"256MiB\"", "ran out of its 256MiB memory limit",
                    "memory = \"512MiB\""));
            all.add(Arguments.of(path, "output-bomb", "output = \"1MiB\"", "wrote more than 1MiB of output",
                    "output = \"2MiB\""));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("bombsOnEveryPath")
    void bomb_isStoppedByItsLimitWithAClearMessage(String pathName, String crate, String limit, String says,
            String raise) throws IOException {
        LaunchPaths.LaunchPath path = paths.all().stream().filter(p -> p.name().equals(pathName)).findFirst()
                .orElseThrow();
        Path policy = Files.writeString(dir.resolve("cordon.toml"), "[permissions.build." + crate + "]\nlimits = { "
                + limit + " }\n");
        Path ws = dir.resolve("ws");
        copy(crate, ws);
        CargoProject project = CargoProject.in(ws);
        path.wire(project, List.of("--policy", policy.toString()), crate);
        Instant start = Instant.now();
        var result = path.build(project, ws.resolve("target"));
        Duration took = Duration.between(start, Instant.now());
        assertTrue(result.exitCode() != 0, result.stderr());
        assertTrue(result.stderr().contains("cordon: the build script of " + crate + " " + says), result.stderr());
        assertTrue(result.stderr().contains("limits = { " + raise + " }"), result.stderr());
        assertTrue(result.stderr().contains("(exit status: " + ExitCodes.LIMIT_EXCEEDED + ")"), result.stderr());
        assertTrue(!result.stderr().contains("nothing stopped me"), result.stderr());
        assertTrue(took.toSeconds() < 120, "took " + took);
        assertEquals(List.of(), leftovers(), "processes of the bomb still running");
    }

    /** The fork bomb's children run {@code /bin/sleep 17}; none may outlive the run. */
    private static List<String> leftovers() throws IOException {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.info().arguments().map(a -> a.length == 1 && a[0].equals("17")).orElse(false)
                    && p.info().command().map(c -> c.endsWith("sleep")).orElse(false))
                    .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
        }
    }

    private static void copy(String crate, Path root) throws IOException {
        Path source = Path.of(System.getProperty("cordon.repositoryRoot"), "core/src/test/resources/hostile-limits",
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
    }
}
