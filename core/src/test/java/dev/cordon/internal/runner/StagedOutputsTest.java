package dev.cordon.internal.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.RunnerInvocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The private output folders of a rustc call that loads proc macros, with real files. */
class StagedOutputsTest {
    @TempDir
    Path root;

    private StagedOutputs staged(String... arguments) throws Exception {
        Path rustc = Files.writeString(root.resolve("rustc"), "");
        RunnerInvocation call = new RunnerInvocation(RunnerInvocation.Kind.MACRO, rustc, List.of(arguments), root,
                Map.of("CARGO_PKG_NAME", "user"), List.of("evil"));
        return StagedOutputs.of(call).orElseThrow();
    }

    @Test
    void of_pointsOutDirAndIncrementalAtFoldersOfTheCrateAloneInBothArgumentForms() throws Exception {
        Path deps = Files.createDirectories(root.resolve("target/debug/deps"));
        StagedOutputs spaced = staged("--crate-name", "user", "--out-dir", deps.toString(), "-C", "extra-filename=-ab12",
                "-C", "incremental=" + root.resolve("target/debug/incremental"), "-L", "dependency=" + deps);
        Path unit = root.resolve("target/debug/.cordon/user-ab12");
        assertEquals(deps, spaced.outDir());
        assertEquals(unit.resolve("out"), spaced.staging());
        assertEquals(Optional.of(unit.resolve("incremental")), spaced.incremental());
        assertEquals(List.of("--crate-name", "user", "--out-dir", unit.resolve("out").toString(), "-C",
                "extra-filename=-ab12", "-C", "incremental=" + unit.resolve("incremental"), "-L", "dependency=" + deps),
                spaced.invocation().arguments());
        StagedOutputs joined = staged("--crate-name=user", "--out-dir=" + deps, "-Cextra-filename=-ab12",
                "-Cincremental=" + root.resolve("target/debug/incremental"));
        assertEquals(List.of("--crate-name=user", "--out-dir=" + unit.resolve("out"), "-Cextra-filename=-ab12",
                "-Cincremental=" + unit.resolve("incremental")), joined.invocation().arguments());
        assertEquals(List.of("evil"), joined.invocation().procMacros());
    }

    @Test
    void of_leavesACallWithoutAnOutputFolderAsItIs() throws Exception {
        Path rustc = Files.writeString(root.resolve("rustc"), "");
        RunnerInvocation call = new RunnerInvocation(RunnerInvocation.Kind.MACRO, rustc,
                List.of("-o", root.resolve("out").toString()), root, Map.of(), List.of("evil"));
        assertEquals(Optional.empty(), StagedOutputs.of(call));
    }

    @Test
    void notices_linkTheAnnouncedOutputIntoPlaceBeforeCargoReadsTheLineWithItsPathRewritten() throws Exception {
        Path deps = Files.createDirectories(root.resolve("target/debug/deps"));
        StagedOutputs staged = staged("--crate-name", "user", "--out-dir", deps.toString(), "-C", "extra-filename=-1");
        staged.prepare();
        Files.writeString(staged.staging().resolve("libuser-1.rmeta"), "metadata");
        byte[] line = ("{\"artifact\":\"" + staged.staging() + "/libuser-1.rmeta\",\"emit\":\"metadata\"}")
                .getBytes(StandardCharsets.UTF_8);
        Optional<byte[]> out = staged.notices().rewrite(line, line.length);
        assertEquals("{\"artifact\":\"" + deps + "/libuser-1.rmeta\",\"emit\":\"metadata\"}",
                new String(out.orElseThrow(), StandardCharsets.UTF_8));
        assertEquals("metadata", Files.readString(deps.resolve("libuser-1.rmeta")));
        byte[] other = "{\"message\":\"warning\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(Optional.empty(), staged.notices().rewrite(other, other.length));
        // A link swapped in for the announced file is not carried into the shared folder.
        Files.createSymbolicLink(staged.staging().resolve("libuser-1.rlib"), root.resolve("rustc"));
        byte[] link = ("{\"artifact\":\"" + staged.staging() + "/libuser-1.rlib\",\"emit\":\"link\"}")
                .getBytes(StandardCharsets.UTF_8);
        staged.notices().rewrite(link, link.length);
        assertFalse(Files.exists(deps.resolve("libuser-1.rlib"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void publish_movesTheOutputsRewritesDepInfoSkipsLinksAndRemovesTheFolder() throws Exception {
        Path deps = Files.createDirectories(root.resolve("target/debug/deps"));
        StagedOutputs staged = staged("--crate-name", "user", "--out-dir", deps.toString(), "-C", "extra-filename=-1");
        Files.createDirectories(staged.staging().resolve("rmeta-temp"));
        Files.writeString(staged.staging().resolve("stale-from-a-killed-run"), "x");
        staged.prepare();
        assertFalse(Files.exists(staged.staging().resolve("stale-from-a-killed-run")));
        Path s = staged.staging();
        Files.writeString(s.resolve("libuser-1.rlib"), "library");
        Files.writeString(s.resolve("user-1.d"), s + "/libuser-1.rlib: src/main.rs\n\nsrc/main.rs:\n");
        Files.createSymbolicLink(s.resolve("libother-2.rlib"), root.resolve("rustc"));
        Files.createDirectories(s.resolve("rmeta-temp"));
        Files.writeString(deps.resolve("libuser-1.rlib"), "the old one");
        staged.publish();
        assertEquals("library", Files.readString(deps.resolve("libuser-1.rlib")));
        assertEquals(deps + "/libuser-1.rlib: src/main.rs\n\nsrc/main.rs:\n", Files.readString(deps.resolve("user-1.d")));
        assertFalse(Files.exists(deps.resolve("libother-2.rlib"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(s));
        assertTrue(Files.exists(root.resolve("rustc")), "a link's target is never removed");
    }

    /**
     * The macro runs inside rustc: it can make files in rustc's folder and print notices on rustc's stderr. A file
     * named like another crate's output is never carried into the shared folder, by the notice or afterwards.
     */
    @Test
    void aFileNamedLikeAnotherCratesOutputNeverReachesTheSharedFolder() throws Exception {
        Path deps = Files.createDirectories(root.resolve("target/debug/deps"));
        StagedOutputs staged = staged("--crate-name", "user", "--out-dir", deps.toString(), "-C", "extra-filename=-1");
        staged.prepare();
        Files.writeString(deps.resolve("libvictim-2.rlib"), "victim");
        for (String name : List.of("libvictim-2.rlib", "libuser-2.rlib", "user-10", "liblibuser-1", "libuser-1")) {
            Files.writeString(staged.staging().resolve(name), "forged");
            byte[] line = ("{\"artifact\":\"" + staged.staging() + "/" + name + "\",\"emit\":\"link\"}")
                    .getBytes(StandardCharsets.UTF_8);
            staged.notices().rewrite(line, line.length);
        }
        Files.writeString(staged.staging().resolve("libuser-1.rlib"), "ours");
        Files.writeString(staged.staging().resolve("user-1"), "our binary");
        Files.writeString(staged.staging().resolve("user-1.d"), "dep-info");
        assertEquals(List.of("liblibuser-1", "libuser-1", "libuser-2.rlib", "libvictim-2.rlib", "user-10"),
                staged.publish().stream().sorted().toList());
        assertEquals("victim", Files.readString(deps.resolve("libvictim-2.rlib")));
        try (var left = Files.list(deps)) {
            assertEquals(List.of("libuser-1.rlib", "libvictim-2.rlib", "user-1", "user-1.d"),
                    left.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void discard_removesWhatAFailedCallLeft() throws Exception {
        Path deps = Files.createDirectories(root.resolve("target/debug/deps"));
        StagedOutputs staged = staged("--crate-name", "user", "--out-dir", deps.toString(), "-C", "extra-filename=-1");
        staged.prepare();
        Files.writeString(staged.staging().resolve("libuser-1.rmeta"), "half");
        staged.discard();
        assertFalse(Files.exists(staged.staging()));
        assertFalse(Files.exists(deps.resolve("libuser-1.rmeta")));
    }
}
