package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.policy.evaluation.DeclaredNeeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16: what a package declares in its own Cargo.toml is shown next to the grant, never granted. */
class DeclaredNeedsTest {
    @TempDir
    Path dir;

    private static final String DECLARING = """
            [package]
            name = "sqlx-macros"
            version = "0.7.0"

            [package.metadata.cordon.permissions.build]
            network-access = { action = "permit", routes = ["127.0.0.1:5432"] }
            filesystem-access = { action = "permit", paths = ["$CARGO_MANIFEST_DIR/generated"] }
            env = { pass = ["DATABASE_URL"] }
            """;

    private RunnerInvocation call(Path pkg) {
        Path out = dir.resolve("ws/target/debug/build/sqlx-macros-1/out");
        return RunnerInvocation.of(out.getParent().resolve("build-script-build"), pkg, Map.of("OUT_DIR",
                out.toString(), "CARGO_PKG_NAME", "sqlx-macros", "CARGO_MANIFEST_DIR", pkg.toString(), "HOME",
                dir.resolve("home").toString(), "DATABASE_URL", "postgres://localhost/db"));
    }

    private Path pkg(String manifest) throws IOException {
        Path pkg = Files.createDirectories(dir.resolve("registry/sqlx-macros-0.7.0"));
        Files.writeString(pkg.resolve("Cargo.toml"), manifest);
        return pkg;
    }

    @Test
    void declaration_isNeverGrantedAndEveryUnmetNeedComesWithItsLine() throws IOException {
        RunnerInvocation call = call(pkg(DECLARING));
        Grant grant = Policies.defaults().decide(call);
        assertEquals(NetworkAccess.none(), grant.network(), "a declaration grants nothing");
        assertTrue(grant.environment().get("DATABASE_URL") == null);
        DeclaredNeeds declared = DeclaredNeeds.of(call).orElseThrow();
        List<String> unmet = declared.unmet(call, grant, DeclaredNeeds.tableOf("", call));
        assertEquals(3, unmet.size(), unmet.toString());
        assertEquals("""
                sqlx-macros declares network 127.0.0.1:5432; your policy grants none; to allow it:
                [permissions.build.sqlx-macros]
                network-access = { action = "permit", routes = ["127.0.0.1:5432"] }""", unmet.get(0));
        assertEquals("""
                sqlx-macros declares filesystem access write $CARGO_MANIFEST_DIR/generated; your policy grants none \
                of it; to allow it:
                [permissions.build.sqlx-macros]
                filesystem-access = { action = "permit", paths = ["$CARGO_MANIFEST_DIR/generated"] }""", unmet.get(1));
        assertEquals("""
                sqlx-macros declares env.pass DATABASE_URL; your policy passes none of them; to allow it:
                [permissions.build.sqlx-macros]
                env = { pass = ["DATABASE_URL"] }""", unmet.get(2));
    }

    @Test
    void declaration_metByThePolicyIsNotAnUnmetNeed() throws IOException {
        RunnerInvocation call = call(pkg(DECLARING));
        Policy policy = Policies.parse("""
                [permissions.build.sqlx-macros]
                network-access = { action = "permit" }
                filesystem-access = { action = "permit", paths = ["$CARGO_MANIFEST_DIR"] }
                env = { pass = ["DATABASE_*"] }
                """, dir.resolve("cordon.toml"));
        Grant grant = policy.decide(call);
        assertEquals(List.of(), DeclaredNeeds.of(call).orElseThrow().unmet(call, grant, "[x]"));
    }

    @Test
    void manifestTable_namesTheManifestsTableInTheLine() throws IOException {
        RunnerInvocation call = call(pkg(DECLARING));
        assertEquals("[workspace.metadata.cordon.permissions.build.sqlx-macros]",
                DeclaredNeeds.tableOf("workspace.metadata.cordon.", call));
    }

    @Test
    void invalidDeclaration_isReportedNotFatal() throws IOException {
        RunnerInvocation call = call(pkg("""
                [package]
                name = "sqlx-macros"
                version = "0.7.0"

                [package.metadata.cordon.permissions.build]
                network-access = { action = "permit", routes = ["127.0.0.1"] }
                """));
        DeclaredNeeds declared = DeclaredNeeds.of(call).orElseThrow();
        assertTrue(declared.problem().orElseThrow().contains("has no port"), declared.problem().toString());
        // Read by the same binding as a policy: the manifest's line and column, the full key path (issue 16).
        assertTrue(declared.problem().orElseThrow().startsWith(declared.manifest() + ":6:49: package.metadata.cordon"
                + ".permissions.build.network-access.routes[0]: \"127.0.0.1\""), declared.problem().toString());
        assertTrue(declared.unmet(call, Policies.defaults().decide(call), "[x]").getFirst()
                .contains("has an invalid declaration in"));
    }

    @Test
    void packageWithoutADeclaration_declaresNothing() throws IOException {
        assertEquals(Optional.empty(), DeclaredNeeds.of(call(pkg("[package]\nname = \"cordon-free\"\n"))));
        assertEquals(Optional.empty(), DeclaredNeeds.of(call(pkg("[package]\nname = \"plain\"\n"))));
    }
}
