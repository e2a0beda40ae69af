package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A policy change re-runs exactly the build scripts whose grant changed (issue 18, item 5), under real Cargo
 * and bwrap on every launch path, while Cargo's own re-run rules stay as they are: a script that prints no
 * {@code rerun-if} directive still re-runs when a file of its package changes, one that prints
 * {@code rerun-if-env-changed} still re-runs when that variable changes, and nothing re-runs on a build
 * where nothing changed.
 *
 * <p>Every script appends a line to {@code $OUT_DIR/runs} each time it really runs (the replay of a previous
 * run does not), so the tests count runs.
 */
class PolicyRerunCargoTest {

    @TempDir
    static Path shared;

    private static LaunchPaths paths;

    /** Counts its runs, reports the variable the policy sets, prints no rerun-if directive and no final newline. */
    private static final String COUNTING = """
            use std::io::Write;
            fn main() {
                let out = std::env::var("OUT_DIR").unwrap();
                let mut f = std::fs::OpenOptions::new().create(true).append(true)
                    .open(format!("{out}/runs")).unwrap();
                writeln!(f, "ran with PROBE={}", std::env::var("PROBE").unwrap_or_default()).unwrap();
                // the last line without a newline: Cordon's own lines must not run into it
                print!("cargo::warning=probe={}", std::env::var("PROBE").unwrap_or_default());
            }
            """;

    @BeforeAll
    static void setUp() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        paths = LaunchPaths.in(shared.resolve("paths"));
    }

    @AfterAll
    static void tearDown() throws IOException {
        paths.close();
    }

    static List<LaunchPaths.LaunchPath> launchPaths() {
        return paths.all();
    }

    private static String policy(String probeOfA) {
        return """
                # the workspace's policy
                [permissions.build.a]
                env = { set = { PROBE = "VALUE" } }

                [permissions.build.b]
                env = { set = { PROBE = "b" } }
                """.replace("VALUE", probeOfA);
    }

    private static CargoProject workspace(LaunchPaths.LaunchPath path, Path root, Path policy, String buildRs) {
        CargoProject project = CargoProject.in(root);
        path.wire(project, List.of("--policy", policy.toString()), "a", "b");
        return project.binaryPackage("a", buildRs, "fn main() {}").binaryPackage("b", buildRs, "fn main() {}");
    }

    /** The lines the package's script appended to {@code $OUT_DIR/runs}, one per real run. */
    private static List<String> runs(Path targetDir, String pkg) throws IOException {
        try (Stream<Path> dirs = Files.list(targetDir.resolve("debug/build"))) {
            List<Path> found = dirs.filter(d -> d.getFileName().toString().startsWith(pkg + "-"))
                    .map(d -> d.resolve("out/runs")).filter(Files::isRegularFile).toList();
            assertEquals(1, found.size(), "one run directory of " + pkg + " in " + targetDir + ": " + found);
            return Files.readAllLines(found.getFirst());
        }
    }

    /** What the runner said on stderr the last time Cargo started the package's script (Cargo keeps it). */
    private static String kept(Path targetDir, String pkg) throws IOException {
        try (Stream<Path> dirs = Files.list(targetDir.resolve("debug/build"))) {
            Path stderr = dirs.filter(d -> d.getFileName().toString().startsWith(pkg + "-"))
                    .map(d -> d.resolve("stderr")).filter(Files::isRegularFile).findFirst().orElseThrow();
            return Files.readString(stderr);
        }
    }

    private static void built(CargoProject.Result result) {
        assertEquals(0, result.exitCode(), result.stderr());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("launchPaths")
    void build_editingOneCratesTableRerunsThatScriptOnlyAndACommentRerunsNone(LaunchPaths.LaunchPath path)
            throws IOException {
        Path root = shared.resolve("table-" + path.name());
        Path policy = Files.createDirectories(root).resolve("cordon.toml");
        Files.writeString(policy, policy("one"));
        Path target = root.resolve("target");
        CargoProject project = workspace(path, root, policy, COUNTING);
        built(path.build(project, target));
        assertEquals(List.of("ran with PROBE=one"), runs(target, "a"));
        assertEquals(List.of("ran with PROBE=b"), runs(target, "b"));

        Files.writeString(policy, policy("two"));
        CargoProject.Result second = path.build(project, target);
        built(second);
        assertEquals(List.of("ran with PROBE=one", "ran with PROBE=two"), runs(target, "a"), second.stderr());
        assertEquals(List.of("ran with PROBE=b"), runs(target, "b"), "b's grant did not change");
        assertTrue(second.outputOf("b-").contains("cargo::warning=probe=b"), "b's directives are kept: "
                + second.outputOf("b-"));

        Files.writeString(policy, "# edited: only a comment\n" + policy("two"));
        CargoProject.Result third = path.build(project, target);
        built(third);
        assertEquals(2, runs(target, "a").size(), "a comment changes no grant");
        assertEquals(1, runs(target, "b").size(), "a comment changes no grant");
        assertTrue(kept(target, "b").contains("cordon: crate 'b': the policy changed but not its grant: the build "
                + "script's previous output stands, the script did not run again"), kept(target, "b"));
        assertTrue(third.outputOf("a-").startsWith("cargo::warning=probe=two\ncargo:rerun-if-changed="),
                third.outputOf("a-"));
        assertTrue(third.outputOf("a-").endsWith("\ncargo:rerun-if-changed=" + policy + "\n"), third.outputOf("a-"));

        built(path.build(project, target));
        assertEquals(2, runs(target, "a").size(), "nothing changed: Cargo re-runs nothing");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("launchPaths")
    void build_scriptWithoutRerunDirectiveStillRerunsWhenAFileOfItsPackageChanges(LaunchPaths.LaunchPath path)
            throws IOException {
        Path root = shared.resolve("files-" + path.name());
        Path policy = Files.createDirectories(root).resolve("cordon.toml");
        Files.writeString(policy, policy("one"));
        // The target dir inside package a: it must not make a's script look changed on every build.
        Path target = root.resolve("a/target");
        CargoProject project = workspace(path, root, policy, COUNTING);
        project.file("a/src/nested/deep.rs", "// a file two levels down\n");
        built(path.build(project, target));
        built(path.build(project, target));
        assertEquals(1, runs(target, "a").size(), "nothing changed, the target dir inside the package included");

        project.file("a/src/main.rs", "fn main() { println!(\"changed\"); }\n");
        built(path.build(project, target));
        assertEquals(2, runs(target, "a").size(), "a source file of a changed: Cargo's default re-runs the script");
        assertEquals(1, runs(target, "b").size(), "no file of b changed");

        project.file("a/src/nested/deep.rs", "// changed\n");
        built(path.build(project, target));
        assertEquals(3, runs(target, "a").size(), "a nested file of a changed");

        // A policy edit of another crate, together with a change to a's files: a's script runs for real.
        Files.writeString(policy, policy("one").replace("PROBE = \"b\"", "PROBE = \"b2\""));
        project.file("a/Cargo.toml", Files.readString(root.resolve("a/Cargo.toml")) + "# edited\n");
        built(path.build(project, target));
        assertEquals(4, runs(target, "a").size(), "a's manifest changed with the policy");
        assertEquals(List.of("ran with PROBE=b", "ran with PROBE=b2"), runs(target, "b"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("launchPaths")
    void build_scriptWithRerunIfEnvChangedRerunsOnTheVariableOnly(LaunchPaths.LaunchPath path) throws IOException {
        Path root = shared.resolve("env-" + path.name());
        Path policy = Files.createDirectories(root).resolve("cordon.toml");
        Files.writeString(policy, policy("one"));
        Path target = root.resolve("target");
        CargoProject project = workspace(path, root, policy,
                COUNTING.replace("fn main() {", "fn main() {\n    println!(\"cargo::rerun-if-env-changed=WATCHED\");"));
        project.env("WATCHED", "1");
        built(path.build(project, target));
        project.file("a/src/main.rs", "fn main() { println!(\"changed\"); }\n");
        built(path.build(project, target));
        assertEquals(1, runs(target, "a").size(), "the script lists what it watches: a source file is not in it");

        project.env("WATCHED", "2");
        built(path.build(project, target));
        assertEquals(2, runs(target, "a").size(), "the watched variable changed");

        // The variable changes together with an unrelated policy edit: the script still runs for real.
        Files.writeString(policy, "# a comment\n" + policy("one"));
        project.env("WATCHED", "3");
        built(path.build(project, target));
        assertEquals(3, runs(target, "a").size(), "the watched variable changed with the policy");
        assertEquals(3, runs(target, "b").size(), "b watches the same variable");

        Files.writeString(policy, "# another comment\n" + policy("one"));
        built(path.build(project, target));
        assertEquals(3, runs(target, "a").size(), "only a comment changed");

        // A new script binary with an unrelated policy edit: the script lists no file, so only the binary's
        // identity tells the runner that the kept output is not this script's.
        project.file("a/build.rs", Files.readString(root.resolve("a/build.rs")) + "// edited\n");
        Files.writeString(policy, "# a third comment\n" + policy("one"));
        built(path.build(project, target));
        assertEquals(4, runs(target, "a").size(), "a's build script was rebuilt");
        assertEquals(3, runs(target, "b").size(), "b's grant and binary are the same");
    }
}
