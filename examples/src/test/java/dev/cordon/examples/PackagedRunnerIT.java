package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/cordon-runner} as users run it after {@code bin/mvn package}: the merged runner jar and its
 * AOT cache, started per build script by the client ({@code CORDON_NO_DAEMON=1}, the cold path). Runs at
 * Maven's integration-test phase, after the package phase built them; the other end-to-end suites run this
 * checkout's classes instead ({@code CORDON_NO_AOT=1}).
 */
class PackagedRunnerIT {
    /** Says in a Cargo warning whether the package directory could be written: the sandbox makes it read-only. */
    private static final String PROBE = """
            fn main() {
                let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
                let writable = std::fs::write(format!("{dir}/escaped.txt"), "x").is_ok();
                println!("cargo::warning=package-dir-{}", if writable { "WRITABLE" } else { "read-only" });
            }
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
    }

    private CargoProject.Result build(String target) {
        return CargoProject.in(dir.resolve("ws")).binaryPackage("probe", PROBE, "fn main() {}")
                .workspace(List.of(CargoProject.runnerLauncher().toString()), "probe")
                .env("CORDON_NO_AOT", "") // the packaged jars, not this checkout's classes
                .env("CORDON_NO_DAEMON", "1")
                .env("CORDON_CACHE_DIR", dir.resolve("cache").toString())
                // The JVM refuses to start unless the AOT cache is usable, instead of silently running slowly.
                .env("JAVA_TOOL_OPTIONS", "-XX:AOTMode=on")
                .build(dir.resolve(target));
    }

    private Path discoveryEntry() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("cache"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("discovery-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no discovery entry in " + dir.resolve("cache")));
        }
    }

    private static void assertSandboxed(CargoProject.Result result) {
        assertEquals(0, result.exitCode(), result.stderr());
        String out = result.outputOf("probe-");
        assertTrue(out.contains("package-dir-read-only"), out);
        assertFalse(out.contains("WRITABLE"), out);
    }

    @Test
    void coldPath_startsFromTheAotCacheAndRemembersDiscovery() throws IOException {
        assertSandboxed(build("t1"));
        String entry = Files.readString(discoveryEntry());
        assertTrue(entry.contains("dev.cordon.sandbox.bwrap.BwrapBackend"), entry);
        assertTrue(entry.contains("dev.cordon.sandbox.seccomp.SeccompFilterCompiler"), entry);

        assertSandboxed(build("t2")); // answered from the entry
        assertEquals(entry, Files.readString(discoveryEntry()));
    }

    @Test
    void coldPath_anEntryNamingAMissingClassFallsBackToAScan() throws IOException {
        assertSandboxed(build("t1"));
        Path entry = discoveryEntry();
        String good = Files.readString(entry);
        Files.writeString(entry, good.replace("dev.cordon.sandbox.bwrap.BwrapBackend", "dev.cordon.sandbox.bwrap.Gone"));

        assertSandboxed(build("t2")); // the runner scanned and still chose bwrap
        assertFalse(Files.exists(entry) && Files.readString(entry).contains(".Gone"), "the bad entry was dropped");
        assertSandboxed(build("t3"));
        assertEquals(good, Files.readString(discoveryEntry()), "and written again by the next run");
    }
}
