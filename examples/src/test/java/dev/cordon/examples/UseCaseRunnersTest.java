package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The use-case runners (read-only sources, debugging, environment control) under real Cargo and bwrap. */
class UseCaseRunnersTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
    }

    private CargoProject project(String main, String buildRs, String... runnerArgs) {
        List<String> runner = new java.util.ArrayList<>(List.of(CargoProject.runnerLauncher().toString()));
        runner.addAll(List.of(runnerArgs));
        return CargoProject.in(dir.resolve("ws")).binaryPackage("probe", buildRs, "fn main() {}")
                .workspace(runner, "probe").env("CORDON_RUNNER_MAIN", "dev.cordon.examples." + main);
    }

    private Path target() {
        return dir.resolve("target");
    }

    // ---- DebuggingRunner

    @Test
    void debugging_hungScriptIsKilledAfterTheTimeoutWithItsNameAndLastLines() throws IOException {
        var result = project("DebuggingRunner", """
                fn main() {
                    eprintln!("about to hang");
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                }
                """).env("DEBUG_TIMEOUT", "PT3S").build(target());
        assertNotEquals(0, result.exitCode());
        assertTrue(result.stderr().contains("build script of probe v0.1.0 killed after"), result.stderr());
        assertTrue(result.stderr().contains("cordon: | about to hang"), result.stderr());
        List<String> audit = Files.readAllLines(target().resolve("cordon/runs.jsonl"));
        assertEquals(1, audit.size(), audit.toString());
        assertTrue(audit.getFirst().contains("\"crate\":\"probe\""), audit.toString());
        assertTrue(audit.getFirst().contains("\"timedOut\":\"timeout\""), audit.toString());
        assertTrue(audit.getFirst().contains("\"signal\":\"SIGKILL\""), audit.toString());
    }

    @Test
    void debugging_liveLogHasTimestampedLinesAndTheAuditLogOneLinePerScript() throws IOException {
        String buildRs = """
                use std::io::Write;
                fn main() {
                    println!("cargo::rustc-env=FROM_SCRIPT=1");
                    eprintln!("working on {}", env!("CARGO_PKG_NAME"));
                    print!("cargo::rerun-if-changed=build.rs");
                    std::io::stdout().flush().unwrap();
                }
                """;
        var project = CargoProject.in(dir.resolve("ws")).binaryPackage("alpha", buildRs, "fn main() {}")
                .binaryPackage("beta", buildRs, "fn main() {}")
                .workspace(List.of(CargoProject.runnerLauncher().toString()), "alpha", "beta")
                .env("CORDON_RUNNER_MAIN", "dev.cordon.examples.DebuggingRunner");
        var result = project.build(target());
        assertEquals(0, result.exitCode(), result.stderr());
        List<String> live = Files.readAllLines(target().resolve("cordon/live.log"));
        for (String crate : List.of("alpha", "beta")) {
            for (String line : List.of(" stderr| working on " + crate, " stdout| cargo::rustc-env=FROM_SCRIPT=1",
                    // the last line has no newline: it still reaches the live log
                    " stdout| cargo::rerun-if-changed=build.rs")) {
                String expected = "[" + crate + "]" + line;
                assertTrue(live.stream().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\Q" + expected + "\\E")),
                        expected + " in\n" + String.join("\n", live));
            }
        }
        List<String> audit = Files.readAllLines(target().resolve("cordon/runs.jsonl"));
        assertEquals(2, audit.size(), audit.toString());
        assertEquals(Set.of("alpha", "beta"), audit.stream().map(l -> l.replaceAll(".*\"crate\":\"([a-z]+)\".*", "$1"))
                .collect(Collectors.toSet()));
        assertTrue(audit.stream().allMatch(l -> l.contains("\"exitCode\":0") && l.contains("\"backend\":\"bwrap\"")),
                audit.toString());
        assertEquals("cargo::rustc-env=FROM_SCRIPT=1\ncargo::rerun-if-changed=build.rs", result.outputOf("alpha-"));
    }

    // ---- ReadOnlySourceRunner

    private static final String WRITES_ITS_SOURCES = """
            fn main() {
                let file = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("generated.rs");
                std::fs::write(&file, "// generated\\n")
                    .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
                println!("cargo::warning=wrote {}", file.display());
            }
            """;

    @Test
    void readOnly_scriptWritingItsSourcesFailsWithTheExplanation() {
        var result = project("ReadOnlySourceRunner", WRITES_ITS_SOURCES).build(target());
        assertNotEquals(0, result.exitCode());
        String probe = dir.resolve("ws/probe").toString();
        assertTrue(result.stderr().contains("cannot write " + probe + "/generated.rs"), result.stderr());
        assertTrue(result.stderr().contains("the build script of crate 'probe' was refused a write"), result.stderr());
        assertTrue(result.stderr().contains("the package directory " + probe + " is read-only in the sandbox"),
                result.stderr());
        assertFalse(Files.exists(dir.resolve("ws/probe/generated.rs")));
    }

    @Test
    void readOnly_namedCrateWritesIntoAPrivateCopyAndTheOriginalIsUntouched() throws IOException {
        var result = project("ReadOnlySourceRunner", WRITES_ITS_SOURCES).env("CORDON_COPY_SOURCES", "other, probe")
                .build(target());
        assertEquals(0, result.exitCode(), result.stderr());
        assertFalse(Files.exists(dir.resolve("ws/probe/generated.rs")), "the original package was written");
        try (Stream<Path> copies = Files.list(target().resolve("debug/build"))) {
            assertTrue(copies.anyMatch(d -> Files.isRegularFile(d.resolve("cordon-src/generated.rs"))),
                    "no generated.rs in a cordon-src copy");
        }
    }

    // ---- EnvironmentControlRunner

    private static final String PRINTS_ITS_ENVIRONMENT = """
            fn main() {
                let mut names: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
                names.sort();
                println!("cargo::warning=names={}", names.join(","));
                for key in ["PROBE_SET", "SOURCE_DATE_EPOCH", "TMPDIR", "TMP", "TEMP", "LC_ALL", "TZ"] {
                    println!("cargo::warning={key}={}", std::env::var(key).unwrap_or_else(|_| "<absent>".into()));
                }
                let tmp = std::env::var("TMPDIR").unwrap();
                std::fs::write(std::path::Path::new(&tmp).join("probe"), "x").expect("TMPDIR is not writable");
            }
            """;

    private static Set<String> names(String output) {
        String line = output.lines().filter(l -> l.startsWith("cargo::warning=names=")).findFirst().orElseThrow();
        return new TreeSet<>(Arrays.asList(line.substring("cargo::warning=names=".length()).split(",")));
    }

    @Test
    void environment_scriptSeesExactlyTheSetAndPassedVariablesAndNotTheDroppedOnes() throws IOException {
        Path policy = Files.writeString(dir.resolve("cordon.toml"), """
                [permissions.build.probe]
                env = { pass = ["PROBE_PASSED"], set = { PROBE_SET = "fixed" }, drop = ["CFLAGS_PROBE"] }
                """);
        var result = project("EnvironmentControlRunner", PRINTS_ITS_ENVIRONMENT, "--policy", policy.toString())
                .env("PROBE_PASSED", "yes").env("PROBE_UNLISTED", "no").env("CFLAGS_PROBE", "-O0")
                .env("CFLAGS_OTHER", "-O1").build(target());
        assertEquals(0, result.exitCode(), result.stderr());
        String out = result.outputOf("probe-");
        Set<String> names = names(out);
        assertEquals(Set.of("PROBE_PASSED", "PROBE_SET"), names.stream().filter(n -> n.startsWith("PROBE_"))
                .collect(Collectors.toSet()), out);
        assertFalse(names.contains("CFLAGS_PROBE"), out);
        assertTrue(names.contains("CFLAGS_OTHER"), out); // passes by default, not dropped
        assertTrue(out.contains("cargo::warning=PROBE_SET=fixed"), out);
        assertTrue(out.contains("cargo::warning=SOURCE_DATE_EPOCH=" + EnvironmentControlRunner.DEFAULT_EPOCH), out);
        String tmp = out.lines().filter(l -> l.startsWith("cargo::warning=TMPDIR=")).findFirst().orElseThrow()
                .substring("cargo::warning=TMPDIR=".length());
        assertTrue(tmp.startsWith("$TARGET/debug/build/probe-") && tmp.endsWith("/cordon-tmp"), tmp);
        assertTrue(out.contains("cargo::warning=TMP=" + tmp) && out.contains("cargo::warning=TEMP=" + tmp), out);
    }

    @Test
    void environment_bundledPolicyFixesLocaleAndTimeZoneAndKeepsCargosSourceDateEpoch() {
        var result = project("EnvironmentControlRunner", PRINTS_ITS_ENVIRONMENT).env("LANG", "de_DE.UTF-8")
                .env("LC_TIME", "de_DE.UTF-8").env("TZ", "Europe/Berlin").env("SOURCE_DATE_EPOCH", "1700000000")
                .build(target());
        assertEquals(0, result.exitCode(), result.stderr());
        String out = result.outputOf("probe-");
        Set<String> names = names(out);
        assertFalse(names.contains("LANG") || names.contains("LC_TIME"), out);
        assertTrue(out.contains("cargo::warning=LC_ALL=C") && out.contains("cargo::warning=TZ=UTC"), out);
        assertTrue(out.contains("cargo::warning=SOURCE_DATE_EPOCH=1700000000"), out);
    }
}
