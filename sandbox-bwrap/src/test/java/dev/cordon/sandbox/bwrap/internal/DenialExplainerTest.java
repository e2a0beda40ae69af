package dev.cordon.sandbox.bwrap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.RunnerInvocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DenialExplainerTest {

    @TempDir
    Path root;
    FakeCrate crate;
    RunnerInvocation invocation;
    Grant grant;

    @BeforeEach
    void layOut() throws Exception {
        crate = new FakeCrate(root);
        invocation = crate.invocation();
        grant = crate.grant(invocation).toBuilder().policyName("/work/cordon.toml").build();
    }

    private Optional<String> explain(String stderr) {
        return DenialExplainer.explain(invocation, grant, 101, stderr);
    }

    @Test
    void explain_readOnlySourceWriteNamesCratePolicyAndTomlLines() throws Exception {
        Path existing = Files.writeString(crate.packageDir.resolve("schema.rs"), "");
        String message = explain("thread 'main' panicked at build.rs:3:5:\nfailed to write " + existing
                + ": Read-only file system (os error 30)\n").orElseThrow();
        assertTrue(message.contains("crate 'hostile'") && message.contains("'/work/cordon.toml'"), message);
        assertTrue(message.contains("package directory"), message);
        assertTrue(message.contains("[permissions.build.hostile]\nfilesystem-access = { action = \"permit\", "
                + "paths = [\"$CARGO_MANIFEST_DIR/schema.rs\"] }\n"), message); // a variable, not the absolute path
        assertTrue(message.endsWith("[permissions.build.hostile]\nsource = \"copy\""), message);
    }

    @Test
    void explain_fileToBeCreatedSuggestsItsFolder() {
        Path gen = crate.packageDir.resolve("src/generated.rs");
        String message = explain("Error: Os { code: 30, kind: ReadOnlyFilesystem, message: \"Read-only file "
                + "system\" }\ncould not create " + gen).orElseThrow();
        assertTrue(message.contains("paths = [\"$CARGO_MANIFEST_DIR/src\"]"), message);
        assertTrue(message.contains("source = \"copy\""), message);
    }

    @Test
    void explain_targetDirAndHomeWrites() {
        String target = explain("open " + crate.targetDir.resolve("shared.lock") + ": Permission denied (os error 13)")
                .orElseThrow();
        assertTrue(target.contains("only OUT_DIR is writable"), target);
        String home = explain("cannot write " + crate.home.resolve(".cargo/registry/x")
                + ": Read-only file system").orElseThrow();
        assertTrue(home.contains("$HOME"), home);
    }

    @Test
    void explain_networkFailureSuggestsNetworkPermit() {
        String message = explain("Error: failed to lookup address information: Temporary failure in name "
                + "resolution").orElseThrow();
        assertTrue(message.contains("network-access = { action = \"permit\" }"), message);
        assertTrue(message.contains("[permissions.build.hostile]"), message);
        assertTrue(explain("connect: Network is unreachable (os error 101)").isPresent());
    }

    @Test
    void explain_nothingWhenNetworkWasGranted() {
        grant = grant.toBuilder().network(NetworkAccess.all()).build();
        assertEquals(Optional.empty(), explain("Network is unreachable"));
    }

    @Test
    void explain_hiddenPathRead() {
        grant = grant.toBuilder().hidden(crate.home.resolve(".ssh")).build();
        String message = explain("reading " + crate.home.resolve(".ssh/id_ed25519")
                + ": No such file or directory (os error 2)").orElseThrow();
        assertTrue(message.contains("hidden by policy"), message);
    }

    @Test
    void explain_bwrapSetupError() {
        String message = explain("bwrap: setting up uid map: Permission denied\n").orElseThrow();
        assertTrue(message.contains("could not be set up"), message);
    }

    @Test
    void explain_rustsDebugFormsWithoutAPathStillSayWhatIsWritable() {
        String message = explain("thread 'main' panicked at build.rs:2:62:\ncalled `Result::unwrap()` on an `Err` value: "
                + "Os { code: 30, kind: ReadOnlyFilesystem, message: \"Read-only file system\" }\n").orElseThrow();
        assertTrue(message.startsWith("cordon: the build script of crate 'hostile' was refused a write"), message);
        assertTrue(message.contains("Writable in the sandbox: $OUT_DIR"), message);
    }

    @Test
    void explain_nothingForSuccessUnrelatedErrorsOrWritableDirs() {
        assertEquals(Optional.empty(), DenialExplainer.explain(invocation, grant, 0, "Read-only file system"));
        assertEquals(Optional.empty(), explain("error: could not find native static library `foo`"));
        assertEquals(Optional.empty(), explain("write " + crate.outDir.resolve("x") + ": Permission denied"));
        // Outside the package and the target dir a refused write is still the sandbox's doing: say so.
        assertTrue(explain("write /usr/lib/x: Read-only file system").orElseThrow().contains("/usr/lib/x: everything "
                + "outside OUT_DIR and $TMPDIR is read-only"));
    }
}
