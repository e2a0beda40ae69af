package dev.cordon.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.SyscallFilter;
import dev.cordon.internal.daemon.DaemonProtocol;
import dev.cordon.spi.Availability;
import dev.cordon.spi.Capability;
import dev.cordon.spi.SandboxBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan daemon's protocol, spoken by a client in Java against a daemon in this JVM. */
class PlanDaemonTest {

    @TempDir
    Path dir;

    private Path sockets;
    private Path socket;
    private Path policy;
    private Path script;
    private CompletableFuture<Integer> daemon;

    /** Plans the build script itself, passing a written file as descriptor 3. */
    static final class FileBackend implements SandboxBackend {
        @Override
        public String id() {
            return "file-test";
        }

        @Override
        public Availability availability() {
            return Availability.available();
        }

        @Override
        public Set<Capability> capabilities() {
            return EnumSet.allOf(Capability.class);
        }

        @Override
        public ExecutionPlan plan(RunnerInvocation invocation, Grant grant, Optional<SyscallFilter> filter) {
            Path file = grant.temporaryDirectory().resolve("plan-file");
            return ExecutionPlan.builder(id(), invocation.workingDirectory()).command(invocation.command())
                    .environment(grant.environment()).file(new ExecutionPlan.PlanFile(file, "content".getBytes()))
                    .descriptor(ExecutionPlan.Descriptor.readFile(3, file)).build();
        }

        @Override
        public Optional<String> explainFailure(RunnerInvocation invocation, Grant grant, int exitStatus,
                String stderrTail) {
            return Optional.of("explained: " + stderrTail);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        sockets = Files.createDirectory(dir.resolve("sockets"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        socket = sockets.resolve("runner-test.sock");
        policy = dir.resolve("cordon.toml");
        Files.writeString(policy, "[permissions.build]\n");
        script = dir.resolve("pkg/target/debug/build/probe-0123456789abcdef/build-script-build");
        Files.createDirectories(script.getParent().resolve("out"));
        Files.writeString(script, "#!/bin/sh\n");
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            Files.deleteIfExists(socket); // the daemon notices and leaves
            daemon.get(10, TimeUnit.SECONDS);
        }
    }

    private final ByteArrayOutputStream daemonLog = new ByteArrayOutputStream();

    private int serve(Map<String, String> env) {
        return dev.cordon.Runner.builder().discoverProviders(false).backend(new FileBackend())
                .environment(env).workingDirectory(dir).stdout(new ByteArrayOutputStream()).stderr(daemonLog).build()
                .run("daemon", "--socket", socket.toString());
    }

    private void start(Map<String, String> env) throws Exception {
        daemon = CompletableFuture.supplyAsync(() -> serve(env));
        for (int i = 0; i < 200 && !Files.exists(socket); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(socket), "the daemon did not bind " + socket);
    }

    private Map<String, String> requestEnvironment() {
        Map<String, String> env = new TreeMap<>();
        for (String name : List.of("PATH", "HOME")) {
            Optional.ofNullable(System.getenv(name)).ifPresent(v -> env.put(name, v));
        }
        env.put("CARGO_PKG_NAME", "probe");
        env.put("CARGO_PKG_VERSION", "1.0.0");
        env.put("CARGO_MANIFEST_DIR", dir.resolve("pkg").toString());
        env.put("OUT_DIR", script.getParent().resolve("out").toString());
        env.put("CORDON_POLICY", policy.toString());
        return env;
    }

    /**
     * A stand-in for the thin client: a process whose stdout and stderr are files, named as the caller; the
     * conversation itself is spoken from here.
     */
    private final class FakeClient implements AutoCloseable {
        final Path out;
        final Path err;
        final Process process;
        final SocketChannel channel;

        FakeClient(String name) throws IOException {
            out = dir.resolve(name + ".out");
            err = dir.resolve(name + ".err");
            process = new ProcessBuilder("sleep", "60").redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        }

        List<String> run(Map<String, String> env) throws IOException {
            List<String> request = new ArrayList<>(List.of("RUN", Long.toString(process.pid()),
                    dir.resolve("pkg").toString()));
            DaemonProtocol.addList(request, List.of(script.toString()));
            DaemonProtocol.addEnvironment(request, env);
            DaemonProtocol.send(channel, request);
            return next();
        }

        List<String> next() throws IOException {
            return DaemonProtocol.receive(channel).orElse(List.of("EOF"));
        }

        /** Declines to start the plan; returns the daemon's last word. */
        List<String> refuse() throws IOException {
            DaemonProtocol.send(channel, List.of("FAILED", "not started in this test"));
            return next();
        }

        String stderr() throws IOException {
            return Files.readString(err);
        }

        @Override
        public void close() throws IOException {
            channel.close();
            process.destroyForcibly();
        }
    }

    @Test
    void run_sendsThePlanWithItsDescriptorsAndWritesItsFiles() throws Exception {
        start(Map.of());
        try (FakeClient client = new FakeClient("c")) {
            DaemonProtocol.Reader in = new DaemonProtocol.Reader(client.run(requestEnvironment()));
            assertEquals("EXEC", in.next());
            assertEquals(dir.resolve("pkg").toString(), in.next());
            List<String> command = in.list();
            // the plan's own command, behind the resource limits' prefix where this machine enforces them
            assertEquals(script.toString(), command.getLast(), command.toString());
            assertEquals("probe", in.environment().get("CARGO_PKG_NAME"));
            assertEquals(1, in.number());
            assertEquals("R", in.next());
            assertEquals(3, in.number());
            Path file = Path.of(in.next());
            assertEquals("content", Files.readString(file));
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
            assertEquals(List.of("DONE", "71"), client.refuse());
            assertTrue(client.stderr().contains("not started in this test"), client.stderr());
        }
    }

    @Test
    void run_concurrentRequestsEachGetTheirOwnPlan() throws Exception {
        start(Map.of());
        int threads = 8;
        int each = 10;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<List<String>>> mismatches = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            mismatches.add(pool.submit(() -> {
                List<String> wrong = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    String crate = "crate-" + thread + "-" + i;
                    Map<String, String> env = new TreeMap<>(requestEnvironment());
                    env.put("CARGO_PKG_NAME", crate);
                    try (FakeClient client = new FakeClient(crate)) {
                        DaemonProtocol.Reader in = new DaemonProtocol.Reader(client.run(env));
                        String kind = in.next();
                        in.next(); // working directory
                        in.list(); // command
                        String got = kind.equals("EXEC") ? in.environment().get("CARGO_PKG_NAME") : kind;
                        if (!crate.equals(got)) {
                            wrong.add(crate + " got " + got);
                        }
                        client.refuse();
                    }
                }
                return wrong;
            }));
        }
        List<String> wrong = new ArrayList<>();
        for (var f : mismatches) {
            wrong.addAll(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertEquals(List.of(), wrong, "answers crossed between concurrent requests");
    }

    @Test
    void run_brokenPolicyIsReportedToTheCallerAsTheJvmRunnerWould() throws Exception {
        start(Map.of());
        Files.writeString(policy, "[permissions.build\n");
        try (FakeClient client = new FakeClient("c")) {
            assertEquals(List.of("DONE", Integer.toString(dev.cordon.ExitCodes.INVALID_POLICY)),
                    client.run(requestEnvironment()));
            assertTrue(client.stderr().contains("cordon.toml"), client.stderr());
        }
    }

    @Test
    void run_eachRequestsOwnEnvironmentDecides() throws Exception {
        start(Map.of());
        try (FakeClient client = new FakeClient("c")) {
            Map<String, String> env = new TreeMap<>(requestEnvironment());
            env.put("CORDON_BACKEND", "somewhere-else");
            assertEquals(List.of("DONE", Integer.toString(dev.cordon.ExitCodes.SANDBOX_UNAVAILABLE)), client.run(env));
            assertTrue(client.stderr().contains("unknown sandbox backend 'somewhere-else'"), client.stderr());
        }
    }

    @Test
    void serve_exitsWhenIdleAndRemovesItsSocket() throws Exception {
        start(Map.of("CORDON_DAEMON_IDLE", "1"));
        try (FakeClient client = new FakeClient("c")) {
            assertEquals("EXEC", client.run(requestEnvironment()).getFirst());
            client.refuse();
        }
        assertEquals(0, daemon.get(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(socket));
        daemon = null;
    }

    @Test
    void serve_refusesASocketDirectoryOthersCanEnter() throws Exception {
        Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(dev.cordon.ExitCodes.SANDBOX_UNAVAILABLE, serve(Map.of()));
        assertTrue(daemonLog.toString().contains("chmod 700 " + sockets), daemonLog.toString());
    }

    @Test
    void serve_secondDaemonForTheSameSocketLeaves() throws Exception {
        start(Map.of());
        long before = System.nanoTime();
        assertEquals(0, serve(Map.of()));
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(5));
        try (FakeClient client = new FakeClient("c")) {
            assertEquals("EXEC", client.run(requestEnvironment()).getFirst());
            client.refuse();
        }
    }
}
