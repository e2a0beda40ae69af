package dev.cordon.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.CordonException;
import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.SyscallFilter;
import dev.cordon.internal.daemon.DaemonProtocol;
import dev.cordon.internal.daemon.PlanDaemon;
import dev.cordon.internal.runner.RunnerEngine;
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

    private RunnerEngine.Settings settings(Map<String, String> env) {
        return new RunnerEngine.Settings(Optional.empty(), List.of(new FileBackend()), List.of(), List.of(),
                List.of(), false, getClass().getClassLoader(), new ByteArrayOutputStream(),
                new ByteArrayOutputStream(), env, dir, Optional.of("file-test"), List.of());
    }

    private void start(Map<String, String> env) throws Exception {
        daemon = CompletableFuture.supplyAsync(() -> PlanDaemon.serve(settings(env), socket.toString()));
        for (int i = 0; i < 200 && !Files.exists(socket); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(socket), "the daemon did not bind " + socket);
    }

    private Map<String, String> requestEnvironment() {
        Map<String, String> env = new TreeMap<>();
        for (String name : List.of("PATH", "HOME", "CORDON_BACKEND", "CORDON_CACHE_DIR", "XDG_CACHE_HOME")) {
            Optional.ofNullable(System.getenv(name)).ifPresent(v -> env.put(name, v));
        }
        env.put("CARGO_PKG_NAME", "probe");
        env.put("CARGO_PKG_VERSION", "1.0.0");
        env.put("CARGO_MANIFEST_DIR", dir.resolve("pkg").toString());
        env.put("OUT_DIR", script.getParent().resolve("out").toString());
        env.put("CORDON_POLICY", policy.toString());
        return env;
    }

    private List<String> send(List<String> message) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            DaemonProtocol.send(channel, message);
            return DaemonProtocol.receive(channel);
        }
    }

    private List<String> run() throws IOException {
        List<String> request = new ArrayList<>(List.of("RUN", dir.resolve("pkg").toString()));
        DaemonProtocol.addList(request, List.of(script.toString()));
        DaemonProtocol.addEnvironment(request, requestEnvironment());
        return send(request);
    }

    @Test
    void run_answersThePlanWithItsDescriptorsAndWritesItsFiles() throws Exception {
        start(Map.of());
        List<String> answer = run();
        DaemonProtocol.Reader in = new DaemonProtocol.Reader(answer);
        assertEquals("EXEC", in.next(), answer.toString());
        in.next(); // token
        assertEquals("0", in.next());
        assertEquals(dir.resolve("pkg").toString(), in.next());
        assertEquals(List.of(script.toString()), in.list());
        assertEquals("probe", in.environment().get("CARGO_PKG_NAME"));
        assertEquals(1, in.number());
        assertEquals("R", in.next());
        assertEquals(3, in.number());
        assertEquals("content", Files.readString(Path.of(in.next())));
    }

    @Test
    void run_concurrentRequestsEachGetTheirOwnPlan() throws Exception {
        start(Map.of());
        int threads = 8;
        int each = 25;
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
                    List<String> request = new ArrayList<>(List.of("RUN", dir.resolve("pkg").toString()));
                    DaemonProtocol.addList(request, List.of(script.toString()));
                    DaemonProtocol.addEnvironment(request, env);
                    DaemonProtocol.Reader in = new DaemonProtocol.Reader(send(request));
                    String kind = in.next();
                    in.next(); // token
                    in.next(); // report flag
                    in.next(); // working directory
                    in.list(); // command
                    String got = kind.equals("EXEC") ? in.environment().get("CARGO_PKG_NAME") : kind;
                    if (!crate.equals(got)) {
                        wrong.add(crate + " got " + got);
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
    void run_changedPolicyIsNeverServedStale() throws Exception {
        start(Map.of());
        assertEquals("EXEC", run().getFirst());
        Files.writeString(policy, "[permissions.build.probe]\ntimeout = \"1h\"\n");
        List<String> limited = run();
        assertEquals("EXEC", limited.getFirst(), limited.toString());
        assertEquals(List.of("3600000", "0"), limited.subList(limited.size() - 2, limited.size()),
                "the client enforces the wall-clock limit it is given");
        Files.writeString(policy, "[permissions.build]\n");
        assertEquals("EXEC", run().getFirst());
        Files.writeString(policy, "[permissions.build.probe]\nidle-timeout = \"1h\"\n");
        List<String> idle = run();
        assertEquals("EXEC", idle.getFirst(), idle.toString());
        assertEquals(List.of("0", "3600000"), idle.subList(idle.size() - 2, idle.size()));
        Files.writeString(policy, "[permissions.build.probe]\nlive-log = \"stderr\"\n");
        assertEquals(List.of("FALLBACK", "the grant asks for a live log"), run());
    }

    @Test
    void run_brokenPolicyFallsBackSoTheJvmRunnerReportsIt() throws Exception {
        start(Map.of());
        Files.writeString(policy, "[permissions.build\n");
        List<String> answer = run();
        assertEquals("FALLBACK", answer.getFirst());
        assertTrue(answer.get(1).startsWith("planning failed"), answer.toString());
    }

    @Test
    void run_differentProcessVariableFallsBack() throws Exception {
        start(Map.of());
        List<String> request = new ArrayList<>(List.of("RUN", dir.resolve("pkg").toString()));
        DaemonProtocol.addList(request, List.of(script.toString()));
        Map<String, String> env = requestEnvironment();
        env.put("CORDON_BACKEND", "somewhere-else");
        DaemonProtocol.addEnvironment(request, env);
        assertEquals(List.of("FALLBACK", "$CORDON_BACKEND differs from the daemon's"), send(request));
    }

    @Test
    void report_failureIsExplainedLikeTheJvmRunnerDoes() throws Exception {
        start(Map.of());
        String token = run().get(1);
        List<String> text = send(List.of("REPORT", token, "139", "1500", "1", "last words"));
        assertEquals("TEXT", text.getFirst());
        assertTrue(text.get(1).contains("cordon: build script of probe v1.0.0 was killed by SIGSEGV after 1.5s"),
                text.get(1));
        assertTrue(text.get(1).contains("cordon: explained: last words"), text.get(1));
    }

    @Test
    void serve_exitsWhenIdleAndRemovesItsSocket() throws Exception {
        start(Map.of("CORDON_DAEMON_IDLE", "1"));
        assertEquals("EXEC", run().getFirst());
        assertEquals(0, daemon.get(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(socket));
        daemon = null;
    }

    @Test
    void serve_refusesASocketDirectoryOthersCanEnter() throws Exception {
        Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwxr-xr-x"));
        CordonException e = assertThrows(CordonException.class,
                () -> PlanDaemon.serve(settings(Map.of()), socket.toString()));
        assertTrue(e.getMessage().contains("chmod 700 " + sockets), e.getMessage());
    }

    @Test
    void serve_secondDaemonForTheSameSocketLeaves() throws Exception {
        start(Map.of());
        long before = System.nanoTime();
        assertEquals(0, PlanDaemon.serve(settings(Map.of()), socket.toString()));
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(5));
        assertEquals("EXEC", run().getFirst());
    }
}
