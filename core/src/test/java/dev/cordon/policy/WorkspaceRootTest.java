package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.policy.evaluation.GrantPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, item 8: which packages read their workspace, found from real manifests on disk. */
class WorkspaceRootTest {

    @TempDir
    Path dir;

    private RunnerInvocation invocation(Path pkg) {
        return RunnerInvocation.of(dir.resolve("target/debug/build/x-1/build-script-build"), pkg, Map.of(
                "CARGO_MANIFEST_DIR", pkg.toString(), "HOME", dir.resolve("home").toString(), "CARGO_PKG_NAME", "x",
                "OUT_DIR", dir.resolve("target/debug/build/x-2/out").toString()));
    }

    private Path manifest(String relative, String text) throws IOException {
        Path file = dir.resolve(relative).resolve("Cargo.toml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file.getParent();
    }

    @Test
    void workspaceRoot_ofAMemberIsTheNearestManifestWithAWorkspaceTable() throws IOException {
        Path root = manifest("ws", "[workspace]\nmembers = [\"crates/*\"]\n");
        Path member = manifest("ws/crates/app", "[package]\nname = \"app\"\n");
        assertEquals(Optional.of(root), GrantPaths.workspaceRoot(invocation(member)));
        assertTrue(Policies.defaults().decide(invocation(member)).readable().contains(root));
    }

    @Test
    void workspaceRoot_followsThePackageWorkspaceKey() throws IOException {
        Path root = manifest("outer", "[workspace]\nmembers = [\"../elsewhere/app\"]\n");
        manifest("elsewhere", "[workspace]\n");
        Path member = manifest("elsewhere/app", "[package]\nname = \"app\"\nworkspace = \"../../outer\"\n");
        assertEquals(Optional.of(root), GrantPaths.workspaceRoot(invocation(member)));
    }

    @Test
    void workspaceRoot_isNoneForTheRootItselfARegistryOrVendoredCrateOrCargoHome() throws IOException {
        manifest("ws", "[workspace]\nmembers = [\"app\"]\n");
        Path root = manifest("ws/app-root", "[package]\nname = \"r\"\n[workspace]\n");
        assertEquals(Optional.empty(), GrantPaths.workspaceRoot(invocation(root)));
        Path published = manifest("ws/vendor/serde", "[package]\nname = \"serde\"\n");
        Files.writeString(published.resolve("Cargo.toml.orig"), "[package]\n");
        assertEquals(Optional.empty(), GrantPaths.workspaceRoot(invocation(published)));
        Path vendored = manifest("ws/vendor/libc", "[package]\nname = \"libc\"\n");
        Files.writeString(vendored.resolve(".cargo-checksum.json"), "{}");
        assertEquals(Optional.empty(), GrantPaths.workspaceRoot(invocation(vendored)));
        Path git = manifest("home/.cargo/git/checkouts/repo/abc/crate", "[package]\nname = \"g\"\n");
        manifest("home/.cargo/git/checkouts/repo/abc", "[workspace]\n");
        assertEquals(Optional.empty(), GrantPaths.workspaceRoot(invocation(git)));
    }
}
