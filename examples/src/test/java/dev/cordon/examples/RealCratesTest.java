package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real crates from Debian's packaged sources (offline): ring (C and assembly via cc), libsqlite3-sys and
 * libz-sys (pkg-config), serde, serde_json, proc-macro2 and their build-script dependencies. The build
 * passes through the reference runner with the default policy (bwrap + seccomp), and every build
 * script's output (its cargo:: lines) is identical to a build without any runner, on the cold path (a
 * runner JVM per script), on the warm path (the plan daemon and its client) and on stable Cargo (no
 * {@code -Z} flag: {@code bin/cordon-rustc} puts a launcher in place of every build script), where a
 * second build is fresh.
 */
class RealCratesTest {

    private static final List<String> CRATES = List.of("ring = \"0.16\"", "libsqlite3-sys = \"0.25\"",
            "libz-sys = \"1\"", "serde = { version = \"1\", features = [\"derive\"] }", "serde_json = \"1\"",
            "proc-macro2 = \"1\"");

    @TempDir
    Path dir;

    @TempDir
    static Path shared;

    @Test
    void build_realCrates_passWithIdenticalBuildScriptOutput() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        RequiredTools.require("pkg-config");
        if (!java.nio.file.Files.isDirectory(CargoProject.DEBIAN_REGISTRY.resolve("ring-0.16.20"))) {
            RequiredTools.missing("Debian's crate sources (apt-get install librust-ring-dev ...; see bin/setup)");
        }
        String main = "fn main() { println!(\"{}\", serde_json::to_string(&vec![1, 2]).unwrap()); }\n";
        // The same sources, built once plainly and once through Cordon, each with its own target dir.
        var plain = CargoProject.in(dir.resolve("plain")).binaryPackage("corpus", "fn main() {}\n", main,
                CRATES.toArray(String[]::new)).workspace(List.of(), "corpus").build(dir.resolve("plain/target"));
        assertEquals(0, plain.exitCode(), plain.stderr());
        var sandboxed = CargoProject.in(dir.resolve("cordon")).binaryPackage("corpus", "fn main() {}\n", main,
                CRATES.toArray(String[]::new)).workspace(List.of(CargoProject.runnerLauncher().toString()), "corpus")
                .build(dir.resolve("cordon/target"));
        assertEquals(0, sandboxed.exitCode(), sandboxed.stderr());
        // And through the warm path, the default after packaging: the plan daemon answers Cargo's parallel
        // build scripts concurrently and the client runs each plan.
        WarmPath warm = WarmPath.in(shared);
        try {
            var daemon = warm.wire(CargoProject.in(dir.resolve("warm")).binaryPackage("corpus", "fn main() {}\n", main,
                    CRATES.toArray(String[]::new)).workspace(List.of(CargoProject.runnerLauncher().toString()),
                    "corpus")).build(dir.resolve("warm/target"), "-j", "2");
            assertEquals(0, daemon.exitCode(), daemon.stderr());
            assertEquals(daemon.buildScriptOutputs().size(), warm.plansServed(), "every build script came from the daemon");
            assertEquals(normalise(plain.buildScriptOutputs(), dir.resolve("plain")),
                    normalise(daemon.buildScriptOutputs(), dir.resolve("warm")));
        } finally {
            warm.stop();
        }

        // And on stable Cargo through the rustc wrapper, against plain stable Cargo: RUSTC_BOOTSTRAP changes
        // what rustc reports (CARGO_CFG_TARGET_FEATURE gains x87), so the baseline needs no -Z either. The
        // wrapped artifacts carry other hashes (the wrapper marks rustc's version), so hashes are masked.
        var plainStable = CargoProject.in(dir.resolve("plain-stable")).binaryPackage("corpus", "fn main() {}\n", main,
                CRATES.toArray(String[]::new)).workspace(List.of(), "corpus").withoutCordon()
                .build(dir.resolve("plain-stable/target"), "-j", "2");
        assertEquals(0, plainStable.exitCode(), plainStable.stderr());
        CargoProject stableProject = CargoProject.in(dir.resolve("stable")).binaryPackage("corpus", "fn main() {}\n",
                main, CRATES.toArray(String[]::new)).workspace(List.of(CargoProject.runnerLauncher().toString()), "corpus")
                .stable(CargoProject.rustcWrapper());
        var stable = stableProject.build(dir.resolve("stable/target"), "-j", "2");
        assertEquals(0, stable.exitCode(), stable.stderr());
        assertEquals(unhashed(normalise(plainStable.buildScriptOutputs(), dir.resolve("plain-stable"))),
                unhashed(normalise(stable.buildScriptOutputs(), dir.resolve("stable"))));
        var fresh = stableProject.build(dir.resolve("stable/target"), "-v");
        assertEquals(0, fresh.exitCode(), fresh.stderr());
        assertTrue(!fresh.stderr().contains("Running `"), "the second stable build ran something:\n" + fresh.stderr());

        Map<String, String> expected = normalise(plain.buildScriptOutputs(), dir.resolve("plain"));
        Map<String, String> actual = normalise(sandboxed.buildScriptOutputs(), dir.resolve("cordon"));
        assertTrue(expected.size() >= 10, "expected at least 10 build scripts, got " + expected.keySet());
        for (String crate : List.of("ring-", "libsqlite3-sys-", "libz-sys-", "serde-", "serde_json-", "proc-macro2-")) {
            assertTrue(expected.keySet().stream().anyMatch(k -> k.startsWith(crate)), crate + " in " + expected.keySet());
        }
        assertEquals(expected, actual);
    }

    /** {@return each build script's directory name and output, Cargo's 16-digit hashes masked, sorted} */
    private static List<String> unhashed(Map<String, String> outputs) {
        return outputs.entrySet().stream().map(e -> (e.getKey() + "\n" + e.getValue()).replaceAll("-[0-9a-f]{16}\\b",
                "-HASH")).sorted().toList();
    }

    /** Replaces the workspace root (the two builds live in different folders) by {@code $WS}. */
    private static Map<String, String> normalise(Map<String, String> outputs, Path workspace) {
        Map<String, String> out = new java.util.TreeMap<>();
        outputs.forEach((k, v) -> out.put(k, v.replace(workspace.toString(), "$WS")));
        return out;
    }
}
