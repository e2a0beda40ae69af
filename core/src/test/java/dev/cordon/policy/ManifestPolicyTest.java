package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.policy.ManifestDiscovery;
import dev.cordon.internal.policy.PolicyLoader;
import dev.cordon.internal.policy.evaluation.TomlPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16: a policy kept in the workspace's Cargo.toml, under [workspace.metadata.cordon]. */
class ManifestPolicyTest {
    @TempDir
    Path dir;
    Path cache;

    @BeforeEach
    void pinCache() {
        cache = dir.resolve("cache/cordon");
        System.setProperty("cordon.cache.dir", cache.toString());
    }

    @AfterEach
    void unpinCache() {
        System.clearProperty("cordon.cache.dir");
    }

    private Path write(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private RunnerInvocation call(String crate, Path targetDir) {
        Path out = targetDir.resolve("debug/build/" + crate + "-0123456789abcdef/out");
        return RunnerInvocation.of(out.getParent().resolve("build-script-build"), Path.of("/registry/" + crate),
                Map.of("OUT_DIR", out.toString(), "CARGO_PKG_NAME", crate, "CARGO_MANIFEST_DIR", "/registry/" + crate,
                        "HOME", dir.resolve("home").toString()));
    }

    private static final String WORKSPACE = """
            [workspace]
            members = ["app"]

            [workspace.metadata.cordon.permissions.build.sqlx]
            network-access = { action = "permit", routes = ["127.0.0.1:5432"] }
            filesystem-access = { action = "permit", paths = ["data"] }
            """;

    @Test
    void workspaceMetadata_isThePolicyOfEveryScriptWhoseTargetDirIsInTheWorkspace() throws IOException {
        Path manifest = write("ws/Cargo.toml", WORKSPACE);
        Optional<Path> found = ManifestDiscovery.rootManifest(call("sqlx", dir.resolve("ws/target")));
        assertEquals(Optional.of(manifest), found);
        Policy policy = PolicyLoader.fromManifest(found.get(), Map.of()).orElseThrow();
        Grant sqlx = policy.decide(call("sqlx", dir.resolve("ws/target")));
        assertEquals(NetworkAccess.routes(List.of(new Route("127.0.0.1", 5432))), sqlx.network());
        assertTrue(sqlx.writable().contains(dir.resolve("ws/data")), "relative to the manifest's folder: "
                + sqlx.writable());
        assertEquals(manifest + " [workspace.metadata.cordon]", sqlx.policyName());
        assertEquals(NetworkAccess.none(), policy.decide(call("serde", dir.resolve("ws/target"))).network());
    }

    @Test
    void packageMetadata_isThePolicyOfASinglePackageProject() throws IOException {
        Path manifest = write("app/Cargo.toml", """
                [package]
                name = "app"
                version = "0.1.0"

                [package.metadata.cordon.permissions.build]
                timeout = "7m"
                """);
        TomlPolicy policy = (TomlPolicy) PolicyLoader.fromManifest(manifest, Map.of()).orElseThrow();
        assertEquals("package.metadata.cordon.", policy.keyPrefix());
        assertEquals(java.time.Duration.ofMinutes(7), policy.decide(call("app", dir.resolve("app/target")))
                .timeout().orElseThrow());
    }

    @Test
    void errors_pointAtTheManifestLineAndTheFullKey() throws IOException {
        Path manifest = write("ws/Cargo.toml", """
                [workspace]
                members = ["app"]

                [workspace.metadata.cordon.permissions.build.sqlx]
                network-access = { action = "permit", routes = ["127.0.0.1"] }
                netwrok-access = "x"
                """);
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.fromManifest(manifest, Map.of()));
        assertEquals(ExitCodes.INVALID_POLICY, e.exitCode());
        PolicyViolation route = e.violations().get(0);
        assertEquals(manifest, route.file().orElseThrow());
        assertEquals("workspace.metadata.cordon.permissions.build.sqlx.network-access.routes[0]", route.keyPath());
        assertEquals(5, route.line(), route.describe());
        assertTrue(route.column() > 40, route.describe());
        PolicyViolation typo = e.violations().get(1);
        assertEquals("workspace.metadata.cordon.permissions.build.sqlx.netwrok-access", typo.keyPath());
        assertEquals(6, typo.line(), typo.describe());
        assertTrue(typo.describe().contains("did you mean 'network-access'?"), typo.describe());
    }

    @Test
    void bothTables_areRefusedAtTheSecond() throws IOException {
        Path manifest = write("ws/Cargo.toml", """
                [package]
                name = "app"
                version = "0.1.0"

                [workspace]

                [workspace.metadata.cordon.permissions.build]
                timeout = "1m"

                [package.metadata.cordon.permissions.build]
                timeout = "9m"
                """);
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.fromManifest(manifest, Map.of()));
        PolicyViolation v = e.violations().getFirst();
        assertEquals("package.metadata.cordon", v.keyPath());
        assertEquals(10, v.line(), v.describe());
        assertTrue(v.fix().contains("keep the policy in [workspace.metadata.cordon]"), v.describe());
    }

    @Test
    void manifestWithoutATable_holdsNoPolicyAndIsRememberedAsSuch() throws IOException {
        Path plain = write("plain/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n");
        assertEquals(Optional.empty(), PolicyLoader.fromManifest(plain, Map.of()));
        assertFalse(Files.exists(cache), "a manifest without the word is answered without parse or cache");
        Path mentions = write("mentions/Cargo.toml", "[package]\nname = \"cordon-demo\"\nversion = \"0.1.0\"\n");
        assertEquals(Optional.empty(), PolicyLoader.fromManifest(mentions, Map.of()));
        try (Stream<Path> entries = Files.list(cache)) {
            assertEquals(1, entries.filter(p -> p.getFileName().toString().endsWith(".none")).count());
        }
        assertEquals(Optional.empty(), PolicyLoader.fromManifest(mentions, Map.of()));
    }

    @Test
    void namedManifest_withoutATableIsNotFound() throws IOException {
        Path plain = write("plain/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n");
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.load(plain));
        assertEquals(ExitCodes.POLICY_NOT_FOUND, e.exitCode());
        assertTrue(e.getMessage().contains("[workspace.metadata.cordon]"), e.getMessage());
    }

    @Test
    void cachedManifestPolicy_keepsItsTable() throws IOException {
        Path manifest = write("ws/Cargo.toml", WORKSPACE);
        TomlPolicy first = (TomlPolicy) Policies.load(manifest);
        try (Stream<Path> entries = Files.list(cache)) {
            assertEquals(1, entries.count());
        }
        TomlPolicy second = (TomlPolicy) Policies.load(manifest);
        assertEquals(first.model(), second.model());
        assertEquals(first.name(), second.name());
        assertEquals("workspace.metadata.cordon.", second.keyPrefix());
    }

    @Test
    void discovery_ignoresAManifestAnotherUserCouldHaveWritten() throws IOException {
        Path manifest = write("shared/Cargo.toml", WORKSPACE);
        Files.setPosixFilePermissions(manifest, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals(Optional.empty(), ManifestDiscovery.rootManifest(call("sqlx", dir.resolve("shared/target"))),
                "a world-writable manifest next to the target dir is not a policy");
    }

    @Test
    void discovery_findsNothingWhenTheTargetDirIsOutsideAnyWorkspace() throws IOException {
        write("ws/Cargo.toml", WORKSPACE);
        assertEquals(Optional.empty(), ManifestDiscovery.rootManifest(call("sqlx", dir.resolve("elsewhere/target"))));
    }

    @Test
    void discoveryAbove_findsTheWorkspaceRootFromAMemberFolder() throws IOException {
        Path root = write("ws/Cargo.toml", WORKSPACE);
        write("ws/app/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n");
        Files.createDirectories(dir.resolve("ws/app/src"));
        assertEquals(Optional.of(root), ManifestDiscovery.rootManifestAbove(dir.resolve("ws/app/src")));
    }
}
