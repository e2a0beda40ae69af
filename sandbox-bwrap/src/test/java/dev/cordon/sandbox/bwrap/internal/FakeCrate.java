package dev.cordon.sandbox.bwrap.internal;

import dev.cordon.Grant;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A crate laid out as Cargo lays it out, under a test's temporary directory (so under {@code /tmp}, the
 * case where the private {@code /tmp} must not hide the project), with a fake {@code $HOME} holding
 * planted secrets.
 */
final class FakeCrate {
    final String nonce = UUID.randomUUID().toString().replace("-", "");
    final String sshKey = "SSH-PRIVATE-KEY-" + nonce;
    final String cargoToken = "CARGO-TOKEN-" + nonce;
    final String awsSecret = "AWS-SECRET-" + nonce;
    final Path root;
    final Path home;
    final Path packageDir;
    final Path targetDir;
    final Path program;
    final Path outDir;

    FakeCrate(Path root) throws IOException {
        this.root = root.toRealPath();
        home = Files.createDirectories(this.root.resolve("home"));
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_ed25519"), sshKey);
        Files.createDirectories(home.resolve(".cargo/registry"));
        Files.writeString(home.resolve(".cargo/credentials.toml"), "[registry]\ntoken = \"" + cargoToken + "\"\n");
        packageDir = Files.createDirectories(this.root.resolve("project"));
        Files.writeString(packageDir.resolve("Cargo.toml"), "[package]\nname = \"hostile\"\nversion = \"0.1.0\"\n");
        targetDir = packageDir.resolve("target");
        program = Files.createDirectories(targetDir.resolve("debug/build/hostile-1111")).resolve("build-script-build");
        outDir = Files.createDirectories(targetDir.resolve("debug/build/hostile-2222/out"));
    }

    /** The environment Cargo would give the script, plus a secret in the runner's own environment. */
    Map<String, String> environment() {
        Map<String, String> env = new TreeMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", home.toString());
        env.put("CARGO_HOME", home.resolve(".cargo").toString());
        env.put("RUSTUP_HOME", System.getProperty("user.home") + "/.rustup");
        env.put("OUT_DIR", outDir.toString());
        env.put("CARGO_MANIFEST_DIR", packageDir.toString());
        env.put("CARGO_PKG_NAME", "hostile");
        env.put("CARGO_PKG_VERSION", "0.1.0");
        env.put("TARGET", "x86_64-unknown-linux-gnu");
        env.put("HOST", "x86_64-unknown-linux-gnu");
        env.put("AWS_SECRET_ACCESS_KEY", awsSecret);
        return env;
    }

    RunnerInvocation invocation(String... arguments) {
        return new RunnerInvocation(RunnerInvocation.Kind.BUILD_SCRIPT, program, java.util.List.of(arguments),
                packageDir, environment());
    }

    Grant grant(RunnerInvocation invocation) {
        return Policies.defaults().decide(invocation);
    }
}
