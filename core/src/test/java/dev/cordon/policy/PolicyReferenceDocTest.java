package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.SourceMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The examples in docs/policy-reference.md parse and mean what the page says. */
class PolicyReferenceDocTest {

    static List<String> tomlBlocks() throws IOException {
        String root = System.getProperty("cordon.repositoryRoot", "..");
        Path doc = Path.of(root, "docs", "policy-reference.md");
        if (!Files.exists(doc)) {
            doc = Path.of("..", "docs", "policy-reference.md");
        }
        List<String> blocks = new ArrayList<>();
        String text = Files.readString(doc);
        int at = 0;
        while ((at = text.indexOf("```toml\n", at)) >= 0) {
            int end = text.indexOf("```\n", at + 8);
            blocks.add(text.substring(at + 8, end));
            at = end;
        }
        return blocks;
    }

    @Test
    void reference_completeExampleParsesAndMeansWhatItSays() throws IOException {
        List<String> blocks = tomlBlocks();
        assertTrue(!blocks.isEmpty(), "no toml blocks found");
        Policy policy = Policies.parse(blocks.getFirst(), Fixtures.POLICY);
        Grant sqlx = policy.decide(Fixtures.invocation("sqlx", Map.of("DATABASE_URL", "postgres://x",
                "RUSTC_BOOTSTRAP", "1", "FOO", "1", "MY_VAR", "y")));
        assertEquals(NetworkAccess.Mode.ROUTES, sqlx.network().mode());
        assertEquals(Duration.ofSeconds(120), sqlx.timeout().orElseThrow());
        assertEquals(Duration.ofSeconds(60), sqlx.idleTimeout().orElseThrow());
        assertTrue(sqlx.writable().contains(Path.of("/work/project/mydb.sqlite")));
        assertTrue(sqlx.writable().contains(Path.of("/work/project/generated")));
        assertTrue(sqlx.readable().contains(Path.of("/home/dev/.cache/x")));
        assertTrue(sqlx.hidden().contains(Path.of("/home/dev/.config/secret-tool")));
        assertEquals("postgres://x", sqlx.environment().get("DATABASE_URL"));
        assertEquals("0", sqlx.environment().get("SOURCE_DATE_EPOCH"));
        assertEquals("y", sqlx.environment().get("MY_VAR"));
        assertTrue(!sqlx.environment().containsKey("FOO") && !sqlx.environment().containsKey("RUSTC_BOOTSTRAP"));
        assertTrue(sqlx.syscalls().required());
        assertEquals(SourceMode.COPY, policy.decide(Fixtures.invocation("ring")).source());
        assertTrue(policy.decide(Fixtures.invocation("ring")).hidden().contains(Path.of("/home/dev/.cargo")));
        assertEquals(NetworkAccess.none(), policy.decide(Fixtures.invocation("rust_version")).network());
        assertEquals(1, policy.notices().size(), policy.notices().toString()); // [permissions.macro] only
        for (String block : blocks) {
            boolean manifest = block.contains("[workspace") || block.contains("[package");
            Policies.parse(block, manifest ? Fixtures.POLICY.resolveSibling("Cargo.toml") : Fixtures.POLICY);
        }
    }

    @Test
    void decide_crateNamesMatchWithDashAndUnderscoreAlike() {
        Policy policy = Policies.parse("[permissions.build.foo_bar]\nnetwork-access = { action = \"permit\" }\n",
                Fixtures.POLICY);
        assertEquals(NetworkAccess.all(), policy.decide(Fixtures.invocation("foo-bar")).network());
        assertEquals(NetworkAccess.all(), policy.decide(Fixtures.invocation("Foo_Bar")).network());
        assertEquals(NetworkAccess.none(), policy.decide(Fixtures.invocation("foobar")).network());
    }

    @Test
    void decide_unresolvableVariableDropsOnlyThatRule() {
        Policy policy = Policies.parse("[permissions.build]\nfilesystem-access = { action = \"permit\", paths ="
                + " [\"$TARGET_DIR/shared\", \"/opt/x\"] }\n", Fixtures.POLICY);
        Grant grant = policy.decide(dev.cordon.RunnerInvocation.of(Path.of("/x/build-script-build"), Path.of("/src"),
                Map.of("CARGO_PKG_NAME", "a", "HOME", "/home/dev")));
        assertTrue(grant.writable().contains(Path.of("/opt/x")), grant.writable().toString());
        assertTrue(grant.writable().stream().noneMatch(p -> p.toString().endsWith("shared")));
        Grant withOut = policy.decide(Fixtures.invocation("a"));
        assertTrue(withOut.writable().contains(Path.of("/work/project/target/shared")), withOut.writable().toString());
    }
}
