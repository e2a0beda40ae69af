package com.example.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher 'mvn package' made for this project's own main ({@code target/cordon/cordon-runner}), under
 * real Cargo: on the warm path (the plan daemon, which is this main's runner) and on the cold path
 * ({@code CORDON_NO_DAEMON=1}, a JVM per build script from the AOT cache), the build script runs sandboxed
 * under {@link TeamPolicy}, not under Cordon's defaults.
 */
class TeamLauncherIT {
    /** Says in Cargo warnings which runner's policy it got, and whether the package directory could be written. */
    private static final String PROBE = """
            fn main() {
                let runner = std::env::var("CORDON_TEAM_RUNNER").unwrap_or_else(|_| "unset".into());
                println!("cargo::warning=team-runner={runner}");
                let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
                let writable = std::fs::write(format!("{dir}/escaped.txt"), "x").is_ok();
                println!("cargo::warning=package-dir-{}", if writable { "WRITABLE" } else { "read-only" });
            }
            """;

    private static final Path LAUNCHER = Path.of(System.getProperty("team.launcher"));

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " was not made at package");
    }

    private CargoProject project(Path runner, Path runtime) {
        return CargoProject.in(dir.resolve("ws")).binaryPackage("probe", PROBE, "fn main() {}")
                .workspace(List.of(runner.toString()), "probe")
                .env("CORDON_CACHE_DIR", dir.resolve("cache").toString())
                .env("XDG_RUNTIME_DIR", runtime.toString()) // a private daemon socket folder: only daemons of this test
                .env("CORDON_DAEMON_IDLE", "60").env("CORDON_DAEMON_TRACE", "1");
    }

    private Path runtime() throws IOException {
        return Files.createDirectory(dir.resolve("runtime"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private static String probeOutput(CargoProject.Result result) {
        assertEquals(0, result.exitCode(), result.stderr());
        String out = result.outputOf("probe-");
        assertTrue(out.contains("package-dir-read-only") && !out.contains("WRITABLE"), "not sandboxed: " + out);
        return out;
    }

    /** {@return how many plans the daemons under {@code runtime} handed out (their trace logs)} */
    private static long plansServed(Path runtime) throws IOException {
        try (Stream<Path> files = Files.walk(runtime)) {
            long n = 0;
            for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                n += Files.readAllLines(log).stream().filter(l -> l.contains(": EXEC, DONE ")).count();
            }
            return n;
        }
    }

    /** Stops the daemons: removing its socket makes a daemon leave within a second. */
    private static void stopDaemons(Path runtime) throws IOException {
        try (Stream<Path> files = Files.walk(runtime)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".sock")).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    @Test
    void warmPath_theDaemonOfTheTeamsMainPlansUnderTheTeamsPolicy() throws IOException {
        Path runtime = runtime();
        try {
            String out = probeOutput(project(LAUNCHER, runtime).build(dir.resolve("t1")));
            assertTrue(out.contains("team-runner=com.example.team.TeamRunner"), out);
            assertEquals(1, plansServed(runtime), "the plan daemon did not plan the build script");

            out = probeOutput(project(LAUNCHER, runtime).build(dir.resolve("t2"))); // the same daemon, again
            assertTrue(out.contains("team-runner=com.example.team.TeamRunner"), out);
            assertEquals(2, plansServed(runtime));
        } finally {
            stopDaemons(runtime);
        }
    }

    @Test
    void coldPath_aJvmOfTheTeamsMainFromTheAotCacheRunsUnderTheTeamsPolicy() throws IOException {
        Path runtime = runtime();
        Path classes = dir.resolve("classes.log");
        String out = probeOutput(project(LAUNCHER, runtime).env("CORDON_NO_DAEMON", "1")
                // AOTMode=on: a cache that exists but does not map stops the JVM instead of running slowly.
                .env("JAVA_TOOL_OPTIONS", "-XX:AOTMode=on -Xlog:class+load=info:file=" + classes)
                .build(dir.resolve("t1")));
        assertTrue(out.contains("team-runner=com.example.team.TeamRunner"), out);
        assertEquals(0, plansServed(runtime), "no daemon on the cold path");
        try (Stream<Path> files = Files.list(runtime)) {
            assertEquals(List.of(), files.toList(), "no daemon socket on the cold path");
        }
        List<String> team = Files.readAllLines(classes).stream().filter(l -> l.contains(" com.example.team.")).toList();
        assertEquals(2, team.size(), "TeamRunner and TeamPolicy, loaded once each: " + team);
        assertTrue(team.stream().allMatch(l -> l.endsWith("source: shared objects file")),
                "the team's own classes come from the AOT cache trained on its main: " + team);
    }

    /** The control: Cordon's reference runner, under its defaults, does not set what the team's policy sets. */
    @Test
    void theReferenceRunner_doesNotApplyTheTeamsPolicy() throws IOException {
        String out = probeOutput(project(CargoProject.runnerLauncher(), runtime()).env("CORDON_NO_DAEMON", "1")
                .build(dir.resolve("t1")));
        assertTrue(out.contains("team-runner=unset"), out);
        assertFalse(out.contains("com.example.team"), out);
    }
}
