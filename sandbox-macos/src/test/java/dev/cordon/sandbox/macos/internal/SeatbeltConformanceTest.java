package dev.cordon.sandbox.macos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile and benign build scripts, run for real under {@code sandbox-exec}. Each hostile script
 * tries one escape and must be stopped; each has a benign twin that must work (or the same probe run
 * outside the sandbox must succeed), so neither a sandbox that breaks everything nor a probe that could
 * never succeed passes.
 *
 * <p>macOS only. Cordon's CI runs Linux, where these are skipped with the reason below. On a Mac,
 * {@code bin/macos-conformance} runs them (with {@code -Dcordon.requireTools=true}, so a missing tool fails
 * instead of skipping) and prints a summary; see docs/macos.md. Issue 17 lists what each probe is for.
 */
@EnabledOnOs(value = OS.MAC, disabledReason = "sandbox-exec exists only on macOS; CI runs Linux, so the"
        + " Seatbelt conformance scripts are skipped here (run bin/macos-conformance on a Mac, see docs/macos.md)")
class SeatbeltConformanceTest {

    private static final String KEY = "-----BEGIN OPENSSH PRIVATE KEY----- planted-by-SeatbeltConformanceTest";

    @TempDir
    Path root;

    private Path home;
    private Path manifestDir;
    private Path outDir;
    private Path tmp;

    @BeforeEach
    void layout() throws IOException {
        // Real paths: on macOS the JUnit temp dir is under /var/folders, a link into /private.
        root = root.toRealPath();
        home = Files.createDirectories(root.resolve("home"));
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_ed25519"), KEY + "\n");
        Files.writeString(home.resolve("notes.txt"), "not a secret\n");
        manifestDir = Files.createDirectories(root.resolve("ws/demo/src")).getParent();
        outDir = Files.createDirectories(root.resolve("ws/target/debug/build/demo-0123/out"));
        tmp = Files.createDirectories(outDir.resolveSibling("cordon-tmp"));
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(NetworkAccess network, String script) throws IOException, InterruptedException {
        return run(g -> g.network(network), script);
    }

    /** Plans with the real backend (the file system's path forms) and runs the plan's command. */
    private Result run(UnaryOperator<Grant.Builder> adjust, String script) throws IOException, InterruptedException {
        Path program = outDir.resolveSibling("build-script-build");
        Files.writeString(program, "#!/bin/bash\n" + script + "\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("HOME", home.toString());
        env.put("OUT_DIR", outDir.toString());
        env.put("CARGO_MANIFEST_DIR", manifestDir.toString());
        env.put("CARGO_PKG_NAME", "demo");
        RunnerInvocation call = RunnerInvocation.of(program, manifestDir, env);
        Grant grant = adjust.apply(Grant.builder("demo", tmp).writable(outDir).writable(tmp)
                .hidden(home.resolve(".ssh")).environment(env).environment("TMPDIR", tmp.toString())).build();
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

    /** Runs a command outside any sandbox: the twin that shows a probe could succeed. */
    private static Result host(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/bash", "-c", script).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), output);
    }

    @Test
    void conformance_benignScriptWritesOutDirAndTmpAndReadsTheSystem() throws Exception {
        Result r = run(NetworkAccess.none(), "set -e; echo cargo::rustc-cfg=ok; cat /etc/hosts >/dev/null;"
                + " echo hi > \"$OUT_DIR/gen.rs\"; echo t > \"$TMPDIR/t\"; cat \"$HOME/notes.txt\" >/dev/null;"
                + " uname -a >/dev/null; sysctl -n hw.ncpu; id -un >/dev/null;"
                + " echo \"clang=$CLANG_MODULE_CACHE_PATH go=$GOCACHE\"");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().startsWith("cargo::rustc-cfg=ok\n"), r.output());
        assertTrue(Files.exists(outDir.resolve("gen.rs")));
        assertTrue(r.output().contains("clang=" + tmp + "/clang-module-cache go=" + tmp + "/go-build"), r.output());
    }

    @Test
    void conformance_readingAnSshKeyFails() throws Exception {
        Result r = run(NetworkAccess.none(), "cat \"$HOME/.ssh/id_ed25519\"");
        assertNotEquals(0, r.exitCode(), r.output());
        assertFalse(r.output().contains(KEY), r.output());
        assertNotEquals(0, run(NetworkAccess.none(), "ls \"$HOME/.ssh\"").exitCode());
    }

    @Test
    void conformance_hiddenKeyStaysHiddenInOtherCaseAndThroughTheDataVolume() throws Exception {
        for (String form : List.of("$HOME/.SSH/id_ed25519", "$HOME/.Ssh/ID_ED25519",
                "/System/Volumes/Data$HOME/.ssh/id_ed25519", "/System/Volumes/Data$HOME/.SSH/id_ed25519")) {
            Result r = run(NetworkAccess.none(), "cat \"" + form + "\"");
            assertFalse(r.output().contains(KEY), form + ": " + r.output());
        }
        // The twin: the same spellings reach the key outside the sandbox on a case-insensitive volume.
        Result outside = host("cat '/System/Volumes/Data" + home + "/.ssh/id_ed25519'");
        assertTrue(outside.output().contains(KEY), "the data-volume path should reach the key outside the sandbox: "
                + outside.output());
    }

    @Test
    void conformance_aLinkInsideTheHiddenFolderDoesNotOpenItsTarget() throws Exception {
        Path dotfiles = Files.createDirectories(home.resolve("dotfiles"));
        Files.writeString(dotfiles.resolve("key"), KEY + "\n");
        Files.writeString(dotfiles.resolve("unrelated"), "fine\n");
        Files.createSymbolicLink(home.resolve(".ssh/id_linked"), dotfiles.resolve("key"));
        Result viaLink = run(NetworkAccess.none(), "cat \"$HOME/.ssh/id_linked\"");
        Result direct = run(NetworkAccess.none(), "cat \"$HOME/dotfiles/key\"");
        assertFalse(viaLink.output().contains(KEY), viaLink.output());
        assertFalse(direct.output().contains(KEY), "the link's target must be hidden too: " + direct.output());
        Result twin = run(NetworkAccess.none(), "cat \"$HOME/dotfiles/unrelated\"");
        assertEquals(0, twin.exitCode(), twin.output());
    }

    @Test
    void conformance_aLinkOutsidePointingIntoTheHiddenFolderIsJudgedByItsTarget() throws Exception {
        Result r = run(NetworkAccess.none(), "ln -s \"$HOME/.ssh/id_ed25519\" \"$OUT_DIR/k\" && cat \"$OUT_DIR/k\"");
        assertFalse(r.output().contains(KEY), r.output());
    }

    @Test
    void conformance_aHardLinkOrCloneOfTheHiddenKeyIsRefused() throws Exception {
        Result link = run(NetworkAccess.none(), "ln \"$HOME/.ssh/id_ed25519\" \"$OUT_DIR/hard\"; cat \"$OUT_DIR/hard\"");
        assertFalse(link.output().contains(KEY), link.output());
        assertFalse(Files.exists(outDir.resolve("hard")), "a second name of the key appeared in OUT_DIR");
        Result clone = run(NetworkAccess.none(), "cp -c \"$HOME/.ssh/id_ed25519\" \"$OUT_DIR/clone\"; cat \"$OUT_DIR/clone\"");
        assertFalse(clone.output().contains(KEY), clone.output());
        Result twin = run(NetworkAccess.none(), "echo x > \"$OUT_DIR/a\" && ln \"$OUT_DIR/a\" \"$OUT_DIR/b\""
                + " && cp -c \"$OUT_DIR/a\" \"$OUT_DIR/c\"");
        assertEquals(0, twin.exitCode(), "links and clones inside OUT_DIR must work: " + twin.output());
    }

    @Test
    void conformance_renamingTheFolderOfAHiddenFileInsideAWritableFolderFails() throws Exception {
        Path shared = Files.createDirectories(root.resolve("shared/config"));
        Files.writeString(shared.resolve(".env"), KEY + "\n");
        UnaryOperator<Grant.Builder> grant = g -> g.writable(root.resolve("shared")).hidden(shared.resolve(".env"));
        Result r = run(grant, "mv '" + shared + "' '" + root.resolve("shared/moved") + "'; cat '"
                + root.resolve("shared/moved/.env") + "'; mv '" + root.resolve("shared") + "' '"
                + outDir.resolve("moved") + "'; cat '" + outDir.resolve("moved/config/.env") + "'");
        assertFalse(r.output().contains(KEY), r.output());
        assertTrue(Files.exists(shared.resolve(".env")), "the hidden file was moved away");
        Result twin = run(grant, "mkdir '" + root.resolve("shared/other") + "' && mv '" + root.resolve("shared/other")
                + "' '" + root.resolve("shared/renamed") + "'");
        assertEquals(0, twin.exitCode(), "renaming a folder without a hidden path must work: " + twin.output());
    }

    @Test
    void conformance_readingTheArgumentsAndEnvironmentOfAnotherProcessFails() throws Exception {
        String secret = "token-" + System.nanoTime();
        ProcessBuilder victim = new ProcessBuilder("/bin/sleep", "30");
        victim.environment().put("CARGO_REGISTRY_TOKEN", secret);
        Process p = new ProcessBuilder("/bin/bash", "-c", "exec -a \"cargo-$1\" /bin/sleep 30", "bash", secret)
                .start();
        Process q = victim.start();
        try {
            String probe = "ps -E -ww -o args= -p " + p.pid() + "; ps -E -ww -o args= -p " + q.pid()
                    + "; ps -A -E -ww -o args=";
            Result outside = host(probe);
            assertTrue(outside.output().contains(secret), "the probe must work outside the sandbox: " + outside.output());
            Result inside = run(NetworkAccess.all(), probe);
            assertFalse(inside.output().contains(secret), "another process's argv or environment leaked: "
                    + inside.output());
        } finally {
            p.destroyForcibly();
            q.destroyForcibly();
        }
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
    void conformance_aSetuidBitCannotBeSetEvenInOutDir() throws Exception {
        Result r = run(NetworkAccess.none(), "cp /bin/echo \"$OUT_DIR/e\" && chmod u+s \"$OUT_DIR/e\"");
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(Files.exists(outDir.resolve("e")), "the copy itself must work: " + r.output());
        int mode = (Integer) Files.getAttribute(outDir.resolve("e"), "unix:mode");
        assertEquals(0, mode & 06000, "set-id bits on " + outDir.resolve("e") + ": " + Integer.toOctalString(mode));
    }

    @Test
    void conformance_aNestedSandboxIsExplainedPlainly() throws Exception {
        Result r = run(NetworkAccess.none(), "/usr/bin/sandbox-exec -p '(version 1)(allow default)' /usr/bin/true");
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains(SeatbeltBackend.NESTED_SANDBOX), r.output());
        Grant grant = Grant.builder("demo", tmp).build();
        assertTrue(new SeatbeltBackend().explainFailure(RunnerInvocation.of(outDir, manifestDir, Map.of()), grant,
                r.exitCode(), r.output()).orElseThrow().contains("already runs inside a macOS sandbox"));
    }

    @Test
    void conformance_networkConnectFailsWithoutAGrantAndWorksForAGrantedLoopbackPort() throws Exception {
        try (ServerSocket server = listen(InetAddress.getByName("127.0.0.1"), 0)) {
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

    @Test
    void conformance_aRouteToIpv6LoopbackConnects() throws Exception {
        try (ServerSocket server = listen(Inet6Address.getByName("::1"), 0)) {
            String connect = "exec 3<>/dev/tcp/::1/" + server.getLocalPort();
            Result granted = run(NetworkAccess.routes(List.of(new Route("::1", server.getLocalPort()))), connect);
            assertEquals(0, granted.exitCode(), granted.output());
            assertNotEquals(0, run(NetworkAccess.none(), connect).exitCode(), "connect to ::1 without a grant");
        }
    }

    @Test
    void conformance_aRouteToLocalhostResolvesTheNameAndConnects() throws Exception {
        try (ServerSocket v4 = listen(InetAddress.getByName("127.0.0.1"), 0);
                ServerSocket v6 = listen(Inet6Address.getByName("::1"), v4.getLocalPort())) {
            // Both loopback addresses listen: the name may resolve to either first.
            assertEquals(v4.getLocalPort(), v6.getLocalPort());
            Result r = run(NetworkAccess.routes(List.of(new Route("localhost", v4.getLocalPort()))),
                    "exec 3<>/dev/tcp/localhost/" + v4.getLocalPort() + " && echo connected");
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("connected"), r.output());
        }
    }

    @Test
    void conformance_allNetworkDoesNotOpenUnixSockets() throws Exception {
        Path socket = root.resolve("agent.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            server.configureBlocking(false);
            String connect = "/usr/bin/nc -z -U '" + socket + "'";
            Result outside = host(connect);
            assertEquals(0, outside.exitCode(), "the probe must connect outside the sandbox: " + outside.output());
            drain(server);
            Result inside = run(NetworkAccess.all(), connect);
            assertNotEquals(0, inside.exitCode(), "connected to a Unix socket with network 'all': " + inside.output());
            assertNull(drain(server), "the Unix socket accepted a connection from the sandbox");
        }
    }

    @Test
    void conformance_aRealCcCrateBuildsCAndCopiesIntoOutDirThroughTheRunner() throws Exception {
        Path cargo = RequiredTools.require("cargo");
        RequiredTools.require("/usr/bin/cc");
        Path launcher = CargoProject.runnerLauncher();
        if (!Files.exists(launcher.resolveSibling("../examples/target/runner.classpath").normalize())) {
            RequiredTools.missing("the runner is not built: run bin/macos-conformance, which builds it first");
        }
        CargoProject project = CargoProject.in(Files.createDirectories(root.resolve("cc-probe")))
                .file("Cargo.toml", "[workspace]\nresolver = \"2\"\nmembers = [\"probe\"]\n")
                .file(".cargo/config.toml", "[host]\nrunner = [\"" + launcher + "\"]\n")
                .file("probe/data/input.txt", "copied by fs::copy\n")
                .file("probe/src/hello.c", "int cordon_hello(void) { return 42; }\n")
                .binaryPackage("probe", """
                        fn main() {
                            cc::Build::new().file("src/hello.c").compile("hello");
                            let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
                            std::fs::copy("data/input.txt", out.join("copied.txt")).expect("fs::copy into OUT_DIR");
                            println!("cargo::rerun-if-changed=src/hello.c");
                        }
                        """, """
                        extern "C" { fn cordon_hello() -> i32; }
                        fn main() { assert_eq!(unsafe { cordon_hello() }, 42); }
                        """, "", "[build-dependencies]", "cc = \"1\"");
        Path target = root.resolve("cc-target");
        // Fetching is Cargo's own work, outside any sandbox (crates.io, once); the build is offline.
        Result fetch = command(project.root(), List.of(cargo.toString(), "fetch"));
        assertEquals(0, fetch.exitCode(), fetch.output());
        Result build = command(project.root(), List.of(cargo.toString(), "build", "-Zhost-config",
                "-Ztarget-applies-to-host", "--offline", "--target-dir", target.toString()));
        assertEquals(0, build.exitCode(), build.output());
        try (var dirs = Files.list(target.resolve("debug/build"))) {
            Path out = dirs.filter(d -> d.getFileName().toString().startsWith("probe-"))
                    .map(d -> d.resolve("out")).filter(Files::isDirectory).findFirst().orElseThrow();
            assertEquals("copied by fs::copy\n", Files.readString(out.resolve("copied.txt")));
            assertTrue(Files.exists(out.resolve("libhello.a")), "cc-rs did not produce libhello.a");
        }
        Result probe = command(project.root(), List.of(target.resolve("debug/probe").toString()));
        assertEquals(0, probe.exitCode(), probe.output());
    }

    private static Result command(Path dir, List<String> argv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv)).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("RUSTC_BOOTSTRAP", "1");
        pb.environment().put("CARGO_TERM_COLOR", "never");
        pb.environment().put("CORDON_NO_AOT", "1");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish in 15 minutes: " + argv);
        }
        return new Result(p.exitValue(), output);
    }

    /** A listener on one loopback address that accepts and closes connections until closed. */
    private static ServerSocket listen(InetAddress address, int port) throws IOException {
        ServerSocket server = new ServerSocket(port, 50, address);
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    server.accept().close();
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }

    /** Accepts what is pending on a non-blocking Unix listener, waiting briefly; null when nothing came. */
    private static SocketChannel drain(ServerSocketChannel server) throws IOException, InterruptedException {
        SocketChannel last = null;
        for (int i = 0; i < 10; i++) {
            SocketChannel accepted = server.accept();
            if (accepted != null) {
                last = accepted;
                accepted.close();
            }
            Thread.sleep(50);
        }
        return last;
    }
}
