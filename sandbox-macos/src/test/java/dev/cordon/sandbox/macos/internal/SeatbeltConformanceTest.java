package dev.cordon.sandbox.macos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile and benign build scripts, run for real under {@code sandbox-exec}. Each hostile script
 * tries one escape and must be stopped; each has a benign twin that must work, so a sandbox that breaks
 * everything does not pass.
 *
 * <p>macOS only. Cordon's CI runs Linux, where these are skipped with the reason below: this path has
 * not been run by the project's CI.
 */
@EnabledOnOs(value = OS.MAC, disabledReason = "sandbox-exec exists only on macOS; CI runs Linux, so the"
        + " Seatbelt conformance scripts are skipped here (see docs/macos.md)")
class SeatbeltConformanceTest {

    @TempDir
    Path root;

    private Path home;
    private Path manifestDir;
    private Path outDir;
    private Path tmp;

    @BeforeEach
    void layout() throws IOException {
        // Real paths: on macOS the JUnit temp dir is under /var/folders, a link into /private.
        home = Files.createDirectories(root.resolve("home"));
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
        Files.writeString(home.resolve("notes.txt"), "not a secret\n");
        manifestDir = Files.createDirectories(root.resolve("ws/demo/src"));
        manifestDir = manifestDir.getParent();
        outDir = Files.createDirectories(root.resolve("ws/target/debug/build/demo-0123/out"));
        tmp = Files.createDirectories(outDir.resolveSibling("cordon-tmp"));
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(NetworkAccess network, String script) throws IOException, InterruptedException {
        Path program = outDir.resolveSibling("build-script-build");
        Files.writeString(program, "#!/bin/bash\n" + script + "\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("OUT_DIR", outDir.toString());
        env.put("CARGO_MANIFEST_DIR", manifestDir.toString());
        env.put("CARGO_PKG_NAME", "demo");
        RunnerInvocation call = RunnerInvocation.of(program, manifestDir, env);
        Grant grant = Grant.builder("demo", tmp).writable(outDir).writable(tmp).hidden(home.resolve(".ssh"))
                .environment(env).environment("TMPDIR", tmp.toString()).network(network).build();
        ExecutionPlan plan = new SeatbeltBackend().plan(call, grant, Optional.empty());
        for (ExecutionPlan.PlanFile file : plan.files()) {
            Files.createDirectories(file.path().getParent());
            Files.write(file.path(), file.content());
        }
        ProcessBuilder pb = new ProcessBuilder(plan.command()).directory(plan.workingDirectory().toFile())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(plan.environment());
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    @Test
    void conformance_benignScriptWritesOutDirAndTmpAndReadsTheSystem() throws Exception {
        Result r = run(NetworkAccess.none(), "set -e; echo cargo::rustc-cfg=ok; cat /etc/hosts >/dev/null;"
                + " echo hi > \"$OUT_DIR/gen.rs\"; echo t > \"$TMPDIR/t\"; cat \"$HOME/notes.txt\" >/dev/null");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().startsWith("cargo::rustc-cfg=ok\n"), r.output());
        assertTrue(Files.exists(outDir.resolve("gen.rs")));
    }

    @Test
    void conformance_readingAnSshKeyFails() throws Exception {
        Result r = run(NetworkAccess.none(), "cat \"$HOME/.ssh/id_ed25519\"");
        assertNotEquals(0, r.exitCode(), r.output());
        assertFalse(r.output().contains("PRIVATE KEY"), r.output());
        assertNotEquals(0, run(NetworkAccess.none(), "ls \"$HOME/.ssh\"").exitCode());
    }

    @Test
    void conformance_writingTheSourceDirFails() throws Exception {
        Result r = run(NetworkAccess.none(), "echo x > \"$CARGO_MANIFEST_DIR/src/evil.rs\"");
        assertNotEquals(0, r.exitCode(), r.output());
        assertFalse(Files.exists(manifestDir.resolve("src/evil.rs")));
    }

    @Test
    void conformance_writingOutsideOutDirFails() throws Exception {
        assertNotEquals(0, run(NetworkAccess.none(), "echo x > \"$HOME/evil\"").exitCode());
        assertNotEquals(0, run(NetworkAccess.none(), "echo x > \"$OUT_DIR/../evil\"").exitCode());
        assertFalse(Files.exists(home.resolve("evil")));
        assertFalse(Files.exists(outDir.resolveSibling("evil")));
    }

    @Test
    void conformance_networkConnectFailsWithoutAGrantAndWorksForAGrantedLoopbackPort() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        server.accept().close();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            String connect = "exec 3<>/dev/tcp/127.0.0.1/" + server.getLocalPort();
            assertNotEquals(0, run(NetworkAccess.none(), connect).exitCode(), "connect without a grant");
            Result granted = run(NetworkAccess.routes(List.of(new Route("127.0.0.1", server.getLocalPort()))),
                    connect);
            assertEquals(0, granted.exitCode(), granted.output());
            int otherPort = server.getLocalPort() == 65535 ? 65534 : server.getLocalPort() + 1;
            assertNotEquals(0, run(NetworkAccess.routes(List.of(new Route("127.0.0.1", otherPort))), connect)
                    .exitCode(), "connect to a port that was not granted");
            assertEquals(0, run(NetworkAccess.all(), connect).exitCode(), "connect with all network");
        }
    }
}
