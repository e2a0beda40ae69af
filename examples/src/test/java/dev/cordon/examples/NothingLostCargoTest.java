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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost, nothing silent (issue 18), under real Cargo and bwrap: a write that cannot reach the host
 * fails where the script can see it, a granted directory that does not exist is created, and a failure says
 * what the script could not see or write, with the policy line to fix it.
 */
class NothingLostCargoTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
    }

    private CargoProject workspace(List<String> runnerArgs, String... members) {
        List<String> runner = new ArrayList<>(List.of(CargoProject.runnerLauncher().toString()));
        runner.addAll(runnerArgs);
        return CargoProject.in(dir.resolve("ws")).workspace(runner, members).env("CORDON_NO_DAEMON", "1");
    }

    @Test
    void build_writesUnderHomeTmpAndVarTmpFailInTheScriptInsteadOfVanishing() throws IOException {
        String name = "cordon-nothing-lost-" + dir.getFileName();
        var result = workspace(List.of(), "probe").binaryPackage("probe", """
                fn main() {
                    let home = std::env::var("HOME").unwrap();
                    for dir in ["/tmp", "/var/tmp", home.as_str()] {
                        let p = std::path::Path::new(dir).join("NAME");
                        match std::fs::write(&p, "x") {
                            Ok(()) => println!("cargo::warning=wrote {}", dir),
                            Err(e) => println!("cargo::warning=refused {}: {:?}", dir, e.kind()),
                        }
                    }
                }
                """.replace("NAME", name), "fn main() {}").build(dir.resolve("ws/target"));
        assertEquals(0, result.exitCode(), result.stderr());
        String out = result.outputOf("probe-");
        String home = System.getProperty("user.home");
        for (String d : List.of("/tmp", "/var/tmp", home)) {
            assertTrue(out.contains("cargo::warning=refused " + d + ": ReadOnlyFilesystem"), out);
            assertFalse(Files.exists(Path.of(d, name)), "reached the host: " + d);
        }
    }

    @Test
    void build_grantedWritableDirectoryThatDoesNotExistIsCreatedAndKeepsTheWrites() throws IOException {
        Path policy = Files.writeString(dir.resolve("cordon.toml"), """
                [permissions.build.gen]
                filesystem-access = { action = "permit", paths = ["$WORKSPACE_ROOT/generated"] }
                """);
        var result = workspace(List.of("--policy", policy.toString()), "gen").binaryPackage("gen", """
                fn main() {
                    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../generated");
                    std::fs::write(format!("{dir}/stamp.rs"), "pub const STAMP: u32 = 7;\\n").unwrap();
                }
                """, """
                include!("../../generated/stamp.rs");
                fn main() { println!("{}", STAMP); }
                """).build(dir.resolve("ws/target"));
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("pub const STAMP: u32 = 7;\n", Files.readString(dir.resolve("ws/generated/stamp.rs")));
    }

    @Test
    void build_notFoundOnASiblingOfThePackageNamesItWithThePolicyLineOnce() throws IOException {
        // A sibling inside the workspace is readable by default (issue 12, item 8); one outside it is not.
        Path policy = Files.writeString(dir.resolve("cordon.toml"), "# the defaults\n");
        Files.createDirectories(dir.resolve("shared"));
        Files.writeString(dir.resolve("shared/tables.sql"), "create table t (x int);\n");
        var project = workspace(List.of("--policy", policy.toString()), "reader").file("schema/tables.sql", "create table t (x int);\n")
                .binaryPackage("reader", """
                fn main() {
                    let inside = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/tables.sql"))
                        .unwrap();
                    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/tables.sql");
                    let outside = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
                    println!("cargo::warning={}", inside.len() + outside.len());
                }
                """, "fn main() {}");
        var result = project.build(dir.resolve("ws/target"));
        assertNotEquals(0, result.exitCode());
        String err = result.stderr();
        assertTrue(err.contains("No such file or directory"), err);
        assertTrue(err.contains("shared"), err);
        assertFalse(err.contains("cordon: cordon:"), err);
        assertEquals(1, err.split("filesystem-access = ", -1).length - 1, err);
        assertEquals("cordon: 1 build script ran since the last summary (1 sandboxed by bwrap), 1 denial (reader); "
                + "audit log: off (set CORDON_AUDIT_LOG)\n", summary(dir.resolve("ws/target")));
        assertEquals("cordon: 0 build scripts ran since the last summary, 0 denials; audit log: off (set "
                + "CORDON_AUDIT_LOG)\n", summary(dir.resolve("ws/target")), "a summary starts a new tally");
        // The suggested line, as printed, is what the crate needs (this build script failed, so Cargo runs it
        // again anyway).
        String suggested = err.lines().map(l -> l.replaceFirst("^\\s*(cordon: )?", ""))
                .filter(l -> l.startsWith("filesystem-access = ")).findFirst().orElseThrow(() -> new AssertionError(err));
        Files.writeString(policy, "[permissions.build.reader]\n" + suggested + "\n");
        var fixed = project.build(dir.resolve("ws/target"));
        assertEquals(0, fixed.exitCode(), suggested + "\n" + fixed.stderr());
        assertEquals("cargo::warning=48\ncargo:rerun-if-changed=" + dir.resolve("ws/reader")
                + "\ncargo:rerun-if-changed=" + policy + "\n", fixed.outputOf("reader-"));
    }

    private String summary(Path target) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(CargoProject.runnerLauncher().toString(), "summary", "--target-dir",
                target.toString()).directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("CORDON_NO_AOT", "1");
        pb.environment().put("CORDON_NO_DAEMON", "1");
        pb.environment().remove("CORDON_AUDIT_LOG");
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            assertEquals(0, p.waitFor(), err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return err;
    }

    @Test
    void build_readOnlyFilesystemWithoutAPathSaysWhatIsWritable() throws IOException {
        var result = workspace(List.of(), "writer").binaryPackage("writer", """
                fn main() {
                    std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/../generated.rs"), "// x\\n").unwrap();
                }
                """, "fn main() {}").build(dir.resolve("ws/target"));
        assertNotEquals(0, result.exitCode());
        String err = result.stderr();
        assertTrue(err.contains("kind: ReadOnlyFilesystem"), err);
        assertTrue(err.contains("cordon: the build script of crate 'writer' was refused a write"), err);
        assertTrue(err.contains("Writable in the sandbox: $OUT_DIR"), err);
        assertFalse(err.contains("cordon: cordon:"), err);
        assertFalse(Files.exists(dir.resolve("ws/generated.rs")));
    }
}
