package dev.cordon.usecases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceCopyTest {
    @TempDir
    Path dir;

    /** A script that writes into its package dir, as some -sys crates do (generated headers, config.h). */
    private static final String WRITES_ITS_SOURCES = """
            echo "manifest=$CARGO_MANIFEST_DIR" > "$OUT_DIR/seen"
            echo "cwd=$(pwd)" >> "$OUT_DIR/seen"
            echo generated > "$CARGO_MANIFEST_DIR/config.h"
            echo touched >> src/lib.rs
            test -f Cargo.toml || exit 9
            """;

    private Path policy(String source) throws IOException {
        return Files.writeString(dir.resolve("cordon.toml"), """
                [sandbox]
                backend = "none"
                [permissions.build]
                source = "%s"
                """.formatted(source));
    }

    @Test
    void copy_runsTheScriptAgainstAPrivateCopyAndLeavesTheOriginalUntouched() throws IOException {
        BuildScriptFixture f = new BuildScriptFixture(dir, "openssl-sys", WRITES_ITS_SOURCES);
        f.env.put("CORDON_POLICY", policy("copy").toString());
        assertEquals(0, f.run(f.runner()), f.err());
        Path copy = f.outDir.getParent().resolve("cordon-src");
        assertFalse(Files.exists(f.pkg.resolve("config.h")), "the original package dir must stay untouched");
        assertEquals("// lib\n", Files.readString(f.pkg.resolve("src/lib.rs")));
        assertEquals("generated\n", Files.readString(copy.resolve("config.h")));
        assertEquals("// lib\ntouched\n", Files.readString(copy.resolve("src/lib.rs")));
        String seen = Files.readString(f.outDir.resolve("seen"));
        assertTrue(seen.contains("manifest=" + copy + "\n") && seen.contains("cwd=" + copy + "\n"), seen);
    }

    @Test
    void copy_isFreshOnEveryRun() throws IOException {
        BuildScriptFixture f = new BuildScriptFixture(dir, "openssl-sys", WRITES_ITS_SOURCES);
        f.env.put("CORDON_POLICY", policy("copy").toString());
        assertEquals(0, f.run(f.runner()), f.err());
        assertEquals(0, f.run(f.runner()), f.err());
        Path copy = f.outDir.getParent().resolve("cordon-src");
        assertEquals("// lib\ntouched\n", Files.readString(copy.resolve("src/lib.rs")), "not touched twice");
    }

    @Test
    void copy_skipsTheTargetDirInsideThePackage() throws IOException {
        // A workspace-root package: target/ lives inside the package dir and would hold the copy itself.
        BuildScriptFixture f = new BuildScriptFixture(dir, "root", "ls -A > \"$OUT_DIR/ls\"");
        Files.writeString(dir.resolve("Cargo.toml"), "[package]\nname = \"root\"\n");
        f.env.put("CARGO_MANIFEST_DIR", dir.toString());
        f.env.put("CARGO_MANIFEST_PATH", dir.resolve("Cargo.toml").toString());
        f.env.put("CORDON_POLICY", policy("copy").toString());
        assertEquals(0, f.run(f.runner().workingDirectory(dir)), f.err());
        List<String> listing = Files.readAllLines(f.outDir.resolve("ls"));
        assertEquals(List.of("Cargo.toml", "cordon.toml", "pkg"), listing.stream().sorted().toList());
    }

    @Test
    void readOnlyDefault_runsInTheOriginalPackageDir() throws IOException {
        BuildScriptFixture f = new BuildScriptFixture(dir, "plain", "pwd > \"$OUT_DIR/cwd\"");
        f.env.put("CORDON_POLICY", policy("read-only").toString());
        assertEquals(0, f.run(f.runner()), f.err());
        assertEquals(f.pkg + "\n", Files.readString(f.outDir.resolve("cwd")));
        assertFalse(Files.exists(f.outDir.getParent().resolve("cordon-src")));
    }
}
