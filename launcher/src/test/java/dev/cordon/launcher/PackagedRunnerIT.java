package dev.cordon.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/cordon-runner} as users run it after {@code bin/mvn package}: the merged runner jar (maven-shade)
 * and its AOT cache, started per build script by the launcher this module packed ({@code CORDON_NO_DAEMON=1},
 * the cold path). Runs at Maven's integration-test phase, after the package phase built them; the other
 * end-to-end suites run this checkout's classes instead ({@code CORDON_NO_AOT=1}).
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
                // A cache that exists but cannot be mapped stops the JVM instead of running slowly.
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

    private static final Path TARGET = Path.of(System.getProperty("cordon.repositoryRoot"), "launcher", "target", "cordon");

    /** Runs {@code command} + a trivial build script as Cargo would (cold path), in {@link #dir}; returns its output. */
    private String runBuildScript(List<String> command) throws Exception {
        return runBuildScript(command, "/bin/true", java.util.Map.of("CORDON_NO_DAEMON", "1"), p -> { });
    }

    /**
     * Runs {@code command} + a build script (a copy of {@code program}) as Cargo would, in {@link #dir}, with
     * {@code env} added; {@code whileRunning} sees the process; returns its output.
     */
    private String runBuildScript(List<String> command, String program, java.util.Map<String, String> env,
            java.util.function.Consumer<Process> whileRunning) throws Exception {
        Path pkg = Files.createDirectories(dir.resolve("pkg"));
        Path build = Files.createDirectories(pkg.resolve("target/debug/build/it-0123456789abcdef/out")).getParent();
        Path script = build.resolve("build-script-build");
        Files.copy(Path.of(program), script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> all = new ArrayList<>(command);
        all.add(script.toString());
        Path out = dir.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder(all).directory(pkg.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CORDON_"));
        pb.environment().putAll(java.util.Map.of("OUT_DIR", build.resolve("out").toString(),
                "CARGO_PKG_NAME", "it", "CARGO_PKG_VERSION", "0.1.0", "CARGO_MANIFEST_DIR", pkg.toString(),
                "CORDON_CACHE_DIR", dir.resolve("cache").toString()));
        pb.environment().putAll(env);
        Process p = pb.start();
        whileRunning.accept(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String output = Files.readString(out);
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    /**
     * Every class a build script's runner JVM needs comes from the AOT cache; none is spun at run time (a
     * lambda the training missed, a pattern switch, a JDK combinator), which would cost milliseconds per
     * build script. Runs the packaged JVM command directly, as the client does, with class-load logging.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void coldPath_everyClassComesFromTheAotCache(boolean withPolicy) throws Exception {
        List<String> words = List.of(Files.readString(TARGET.resolve("runner-command")).split("\0"));
        Path policy = Files.writeString(dir.resolve("cordon.toml"),
                "[permissions.build.another-crate]\nnetwork-access = { action = \"permit\" }\n");
        Path log = dir.resolve("classes.log");
        for (int run = 0; run < 2; run++) { // the first fills the per-user caches, as a build's first script does
            List<String> command = new ArrayList<>(List.of(words.getFirst(), "-Xlog:class+load=info:file=" + log));
            command.addAll(words.subList(1, words.size()));
            if (withPolicy) {
                command.addAll(List.of("--policy", policy.toString()));
            }
            runBuildScript(command);
        }
        List<String> elsewhere = Files.readAllLines(log).stream()
                .filter(line -> line.contains(" source: ") && !line.endsWith("source: shared objects file")).toList();
        List<String> spun = elsewhere.stream().filter(line -> line.contains("/0x") || line.contains("Lambda")
                || line.contains("LookupDefineClass") || line.contains("TypeSwitch")).toList();
        assertEquals(List.of(), spun, "classes defined at run time, not taken from the AOT cache");
        assertEquals(List.of(), elsewhere.stream().filter(line -> line.contains(" dev.cordon.")).toList(),
                "Cordon's own classes read from the jar, not the AOT cache");
        assertTrue(elsewhere.size() <= 12, "classes loaded outside the AOT cache: " + elsewhere);
    }

    /** A jar rebuilt after the AOT cache was made: the runner says so and how to fix it, and still runs. */
    @Test
    void staleAotCache_isSaidOutLoudAndTheScriptStillRuns() throws Exception {
        Path aot = TARGET.resolve("cordon-runner.aot");
        Path input = Path.of(Files.readAllLines(TARGET.resolve("runner-aot.inputs")).getFirst());
        java.nio.file.attribute.FileTime original = Files.getLastModifiedTime(input);
        try {
            Files.setLastModifiedTime(input, java.nio.file.attribute.FileTime.fromMillis(
                    Files.getLastModifiedTime(aot).toMillis() + 10_000));
            String output = runBuildScript(List.of(CargoProject.runnerLauncher().toString()));
            assertTrue(output.contains("the AOT cache is stale (" + input + " changed after it was made)"), output);
            assertTrue(output.contains("rebuild it with:"), output);
        } finally {
            Files.setLastModifiedTime(input, original);
        }
        String fresh = runBuildScript(List.of(CargoProject.runnerLauncher().toString()));
        assertFalse(fresh.contains("stale"), fresh);
    }

    /**
     * A stale AOT cache costs no detour through another launcher (no sh, C, bash, C bounce): the process
     * {@code bin/cordon-runner} started becomes, in one exec, the client ({@code daemon}) or the JVM, and runs
     * the packaged jar without the cache (a cache only maps onto the jar it was trained with).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void staleAotCache_oneExecToTheClientOrTheJvmWithoutTheCache(boolean daemon) throws Exception {
        Path sleeper = Files.writeString(dir.resolve("sleeper"), "#!/bin/sh\nsleep 3\n");
        Files.setPosixFilePermissions(sleeper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path runtime = Files.createDirectory(dir.resolve("runtime"), java.nio.file.attribute.PosixFilePermissions
                .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        java.util.Map<String, String> env = daemon
                ? java.util.Map.of("XDG_RUNTIME_DIR", runtime.toString(), "CORDON_DAEMON_IDLE", "5")
                : java.util.Map.of("CORDON_NO_DAEMON", "1");
        Path aot = TARGET.resolve("cordon-runner.aot");
        Path jar = Path.of(Files.readAllLines(TARGET.resolve("runner-aot.inputs")).getFirst());
        java.nio.file.attribute.FileTime original = Files.getLastModifiedTime(jar);
        List<String> seen = new ArrayList<>();
        try {
            Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(
                    Files.getLastModifiedTime(aot).toMillis() + 10_000));
            runBuildScript(List.of(CargoProject.runnerLauncher().toString()), sleeper.toString(), env, p -> {
                for (int i = 0; i < 200 && seen.isEmpty(); i++) {
                    ProcessHandle.Info info = p.toHandle().info();
                    List<String> args = List.of(info.arguments().orElse(new String[0]));
                    if (args.contains(jar.toString())) {
                        seen.add(info.command().orElse("?"));
                        seen.addAll(args);
                    } else {
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            });
        } finally {
            Files.setLastModifiedTime(jar, original);
            try (Stream<Path> files = Files.walk(runtime)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".sock")).toList()) {
                    Files.deleteIfExists(f); // the daemon leaves within a second
                }
            }
        }
        assertFalse(seen.isEmpty(), "the launcher's process never ran the packaged jar " + jar);
        String command = seen.getFirst();
        assertTrue(command.endsWith(daemon ? "/cordon-client" : "/java"), "one exec to the client or the JVM: " + seen);
        assertTrue(seen.stream().noneMatch(a -> a.startsWith("-XX:AOTCache")), "a stale cache is not used: " + seen);
    }
}
