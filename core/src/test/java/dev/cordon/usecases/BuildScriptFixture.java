package dev.cordon.usecases;

import dev.cordon.Runner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

/**
 * A package laid out as Cargo would: {@code pkg/} with a manifest, {@code target/debug/build/<crate>-h/out}
 * and a shell script standing in for the compiled {@code build-script-build}, run through a real
 * {@link Runner} with backend {@code none} (these tests are about the runner's own plumbing, not a sandbox).
 */
final class BuildScriptFixture {
    final Path root;
    final Path pkg;
    final Path outDir;
    final Path script;
    final Map<String, String> env = new HashMap<>();
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    BuildScriptFixture(Path root, String crate, String body) throws IOException {
        this.root = root;
        pkg = Files.createDirectories(root.resolve("pkg"));
        Files.writeString(pkg.resolve("Cargo.toml"), "[package]\nname = \"" + crate + "\"\nversion = \"1.2.3\"\n");
        Files.createDirectories(pkg.resolve("src"));
        Files.writeString(pkg.resolve("src/lib.rs"), "// lib\n");
        Path buildDir = Files.createDirectories(root.resolve("target/debug/build/" + crate + "-0123456789abcdef"));
        outDir = Files.createDirectories(buildDir.resolve("out"));
        script = buildDir.resolve("build-script-build");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        env.put("PATH", "/usr/bin:/bin");
        env.put("CARGO_PKG_NAME", crate);
        env.put("CARGO_PKG_VERSION", "1.2.3");
        env.put("CARGO_MANIFEST_DIR", pkg.toString());
        env.put("CARGO_MANIFEST_PATH", pkg.resolve("Cargo.toml").toString());
        env.put("OUT_DIR", outDir.toString());
    }

    Runner.Builder runner() {
        return Runner.builder().pinBackend(dev.cordon.BackendChoice.NONE).environment(env).workingDirectory(pkg)
                .stdout(stdout).stderr(stderr);
    }

    int run(Runner.Builder builder) {
        return builder.build().run(script.toString());
    }

    String out() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return stderr.toString(StandardCharsets.UTF_8);
    }
}
