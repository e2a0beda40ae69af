package dev.cordon.sandbox.bwrap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.net.RouteBroker;
import dev.cordon.spi.SyscallFilterCompiler;
import dev.cordon.testing.RequiredTools;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the network-route supervisor with the real kernel, bwrap and seccomp: the sandboxed
 * program is {@code routes.c}; the servers on the host side count what reached them.
 */
class RouteSupervisorHostileTest {

    @TempDir
    static Path compiled;
    static Path binary;
    static SyscallFilterCompiler compiler;

    @TempDir
    Path root;
    FakeCrate crate;
    BwrapPlanner planner;

    @BeforeAll
    static void compile() throws Exception {
        RequiredTools.require("bwrap");
        Path gcc = RequiredTools.require("gcc");
        Path source = compiled.resolve("routes.c");
        try (InputStream in = RouteSupervisorHostileTest.class.getResourceAsStream("/hostile/routes.c")) {
            Files.copy(in, source);
        }
        binary = compiled.resolve("routes");
        Process p = new ProcessBuilder(gcc.toString(), "-O1", "-pthread", "-o", binary.toString(), source.toString())
                .inheritIO().start();
        assertEquals(0, p.waitFor(), "gcc routes.c");
        compiler = ServiceLoader.load(SyscallFilterCompiler.class).findFirst().orElseThrow();
    }

    @BeforeEach
    void layOut() throws Exception {
        crate = new FakeCrate(root);
        Files.copy(binary, crate.program);
        planner = new BwrapPlanner(PlanRun.installation());
    }

    private record Result(PlanRun run, Map<String, String> facts, List<RouteBroker.Denial> denials) {
        int fact(String key) {
            String value = facts.get(key);
            if (value == null) {
                throw new AssertionError("no '" + key + "' in the output: " + run);
            }
            return Integer.parseInt(value);
        }
    }

    private Result run(List<Route> routes, String... arguments) throws Exception {
        RunnerInvocation invocation = crate.invocation(arguments);
        Grant grant = crate.grant(invocation).toBuilder().network(NetworkAccess.routes(routes)).build();
        ExecutionPlan plan = planner.plan(invocation, grant,
                Optional.of(compiler.compile(grant.syscalls(), grant.network())));
        try (RouteBroker broker = RouteBroker.start(invocation, grant, compiler.routeFilter().orElseThrow())) {
            PlanRun run = PlanRun.execute(broker.wrap(plan, false));
            assertEquals(0, run.status(), run::toString);
            Map<String, String> facts = new HashMap<>();
            for (String token : run.stdout().split("\\s+")) {
                int eq = token.indexOf('=');
                if (eq > 0) {
                    facts.put(token.substring(0, eq), token.substring(eq + 1));
                }
            }
            return new Result(run, facts, broker.denials());
        }
    }

    /**
     * The sandbox's {@code /etc/hosts} is written only when its names change (a rewrite costs ext4 a flush on
     * every run), and a run after a policy edit never sees the names of the run before it.
     */
    @Test
    void hostsFile_followsTheGrantsNamesAndIsLeftAloneWhileTheyStay() throws Exception {
        RunnerInvocation invocation = crate.invocation();
        Grant named = crate.grant(invocation).toBuilder()
                .network(NetworkAccess.routes(List.of(new Route("localhost", 5432)))).build();
        Grant numeric = crate.grant(invocation).toBuilder().network(NetworkAccess.routes(List.of(loopback(5432))))
                .build();
        Path hosts = dev.cordon.internal.net.RouteLayout.hostsFile(named);
        RouteBroker.start(invocation, named, compiler.routeFilter().orElseThrow()).close();
        assertTrue(Files.readString(hosts).contains("127.0.0.1 localhost\n"), Files.readString(hosts));
        Object inode = Files.getAttribute(hosts, "unix:ino");
        java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(hosts);
        Thread.sleep(20);
        RouteBroker.start(invocation, named, compiler.routeFilter().orElseThrow()).close();
        assertEquals(written, Files.getLastModifiedTime(hosts), "the unchanged file was written again");
        assertEquals(inode, Files.getAttribute(hosts, "unix:ino"));
        RouteBroker.start(invocation, numeric, compiler.routeFilter().orElseThrow()).close();
        assertFalse(Files.readString(hosts).contains("localhost"), "a name of the earlier grant is left: "
                + Files.readString(hosts));
        // A link planted at the path (by anything that could write the build folder) is replaced, not followed.
        Path victim = Files.writeString(root.resolve("victim"), "not the runner's to write");
        Files.delete(hosts);
        Files.createSymbolicLink(hosts, victim);
        RouteBroker.start(invocation, named, compiler.routeFilter().orElseThrow()).close();
        assertEquals("not the runner's to write", Files.readString(victim), "the runner wrote through the link");
        assertFalse(Files.isSymbolicLink(hosts));
        assertTrue(Files.readString(hosts).contains("127.0.0.1 localhost\n"), Files.readString(hosts));
    }

    private static Route loopback(int port) {
        return new Route("127.0.0.1", port);
    }

    @Test
    void connect_rewritingTheAddressWhileConnectIsPendingNeverReachesTheForbiddenPort() throws Exception {
        try (var granted = new EchoServers.Tcp("127.0.0.1"); var forbidden = new EchoServers.Tcp("127.0.0.1")) {
            Result r = run(List.of(loopback(granted.port())), "race", Integer.toString(granted.port()),
                    Integer.toString(forbidden.port()), "400");
            assertEquals(0, forbidden.connections(), "the forbidden port got a connection: " + r.run());
            assertEquals(400, r.fact("connected") + r.fact("refused"), r.run()::toString);
            assertTrue(r.fact("connected") > 0 && r.fact("refused") > 0,
                    "the race did not flip both ways (try again on a quieter machine): " + r.run());
            assertEquals(r.fact("connected"), r.fact("talked"), "every connection reached the granted server");
            assertEquals(r.fact("connected"), granted.connections());
        }
    }

    @Test
    void connect_manyParallelConnectsAllGetThrough() throws Exception {
        try (var granted = new EchoServers.Tcp("127.0.0.1")) {
            Result r = run(List.of(loopback(granted.port())), "parallel", Integer.toString(granted.port()), "32", "25");
            assertEquals(800, r.fact("ok"), r.run()::toString);
            assertEquals(800, granted.connections());
        }
    }

    @Test
    void connect_closingAndDup2ingTheDescriptorMidCallLeavesTheSupervisorServing() throws Exception {
        try (var granted = new EchoServers.Tcp("127.0.0.1")) {
            Result r = run(List.of(loopback(granted.port())), "swap", Integer.toString(granted.port()), "300");
            assertEquals(1, r.fact("survived"), r.run()::toString);
            assertEquals(1, r.fact("after"), "the supervisor stopped answering: " + r.run());
        }
    }

    /**
     * A granted destination that never answers holds one receiver, not the supervisor: another connect is
     * answered meanwhile; and when the script exits mid-connect, the supervisor gives its own connect up at once
     * instead of holding a half-open connection (and a thread) for TCP's two minutes.
     */
    @Test
    void connect_aConnectThatNeverCompletesHoldsOneReceiverAndIsGivenUpWhenTheScriptExits() throws Exception {
        try (var stalled = new EchoServers.Stalled(); var granted = new EchoServers.Tcp("127.0.0.1")) {
            long start = System.nanoTime();
            Result r = run(List.of(loopback(stalled.port()), loopback(granted.port())), "stall",
                    Integer.toString(stalled.port()), Integer.toString(granted.port()));
            long runMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(1, r.fact("other"), r.run()::toString);
            assertTrue(r.fact("other_ms") < 2000, "the second connect waited for the stalled one: " + r.run());
            assertTrue(runMillis < 1800, "closing the broker waited for the stalled connect: " + runMillis + " ms");
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (stalled.pending() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, stalled.pending(), "the supervisor's connect to the stalled port is still pending after"
                    + " the script exited");
        }
    }

    @Test
    void connect_32BitCallsAreRefusedEvenToAGrantedRoute() throws Exception {
        // Some hypervisors (this project's CI VM among them) fault on int $0x80 even outside any sandbox; the
        // filter's 32-bit branch is then checked on its bytes only, by RouteFilterProperties in sandbox-seccomp.
        Process probe = new ProcessBuilder(binary.toString(), "int80probe").start();
        assertEquals(true, probe.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        org.junit.jupiter.api.Assumptions.assumeTrue(probe.exitValue() == 0,
                "this machine cannot run 32-bit syscalls at all (int $0x80 exits with " + probe.exitValue() + ")");
        try (var granted = new EchoServers.Tcp("127.0.0.1");
                ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Path socket = crate.outDir.resolve("s.sock");
            unix.bind(UnixDomainSocketAddress.of(socket));
            Result r = run(List.of(loopback(granted.port())), "compat", Integer.toString(granted.port()),
                    socket.toString());
            int eacces = -13;
            int enosys = -38;
            assertEquals(eacces, r.fact("connect32"), r.run()::toString);
            assertEquals(eacces, r.fact("socketcall"), r.run()::toString);
            assertEquals(eacces, r.fact("unix32"), r.run()::toString);
            assertEquals(enosys, r.fact("uring32"), r.run()::toString);
            assertEquals(0, granted.connections());
        }
    }

    @Test
    void ioUring_staysRefused() throws Exception {
        Result r = run(List.of(loopback(9)), "uring");
        assertEquals(-1, r.fact("uring"), r.run()::toString);
        assertEquals(38, r.fact("errno"), "ENOSYS: " + r.run());
    }

    @Test
    void connect_nonBlockingKeepsItsFlagsAndCompletes() throws Exception {
        try (var granted = new EchoServers.Tcp("127.0.0.1")) {
            Result r = run(List.of(loopback(granted.port())), "nonblocking", Integer.toString(granted.port()));
            assertTrue(r.fact("connect") == 0 || r.fact("inprogress") == 1, r.run()::toString);
            assertEquals(1, r.fact("ready"), r.run()::toString);
            assertEquals(0, r.fact("soerror"), r.run()::toString);
            assertEquals(1, r.fact("nonblock"), "O_NONBLOCK kept: " + r.run());
            assertEquals(0, r.fact("cloexec"), "no close-on-exec asked, none given: " + r.run());
            assertEquals(1, r.fact("cloexec2"), "SOCK_CLOEXEC kept: " + r.run());
            assertEquals(1, r.fact("talked"), r.run()::toString);
        }
    }

    /**
     * The supervisor's socket lies in a directory only the runner's user may enter, made once per process: no
     * socket is left after a run, and a directory removed between runs (a temp cleaner) is made again.
     */
    @Test
    void socket_liesInAPrivateDirectoryIsGoneAfterTheRunAndSurvivesTheDirectoryBeingRemoved() throws Exception {
        try (var granted = new EchoServers.Tcp("127.0.0.1")) {
            RunnerInvocation invocation = crate.invocation("nonblocking", Integer.toString(granted.port()));
            Grant grant = crate.grant(invocation).toBuilder()
                    .network(NetworkAccess.routes(List.of(loopback(granted.port())))).build();
            ExecutionPlan plan = planner.plan(invocation, grant,
                    Optional.of(compiler.compile(grant.syscalls(), grant.network())));
            for (int round = 0; round < 2; round++) {
                Path socket;
                try (RouteBroker broker = RouteBroker.start(invocation, grant, compiler.routeFilter().orElseThrow())) {
                    ExecutionPlan wrapped = broker.wrap(plan, false);
                    socket = Path.of(wrapped.command().get(2));
                    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(socket.getParent(), java.nio.file.LinkOption.NOFOLLOW_LINKS)));
                    assertEquals(Files.getOwner(root), Files.getOwner(socket.getParent()));
                    PlanRun run = PlanRun.execute(wrapped);
                    assertEquals(0, run.status(), run::toString);
                    assertTrue(run.stdout().contains("talked=1"), run::toString);
                }
                assertFalse(Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS), "left: " + socket);
                try (var left = Files.list(socket.getParent())) {
                    left.forEach(RouteSupervisorHostileTest::deleteQuietly);
                }
                Files.delete(socket.getParent()); // as a temp cleaner would, between runs
            }
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void sendto_tcpFastOpenIsACheckedConnect() throws Exception {
        try (var granted = new EchoServers.Tcp("127.0.0.1"); var forbidden = new EchoServers.Tcp("127.0.0.1")) {
            Result r = run(List.of(loopback(granted.port())), "fastopen", Integer.toString(granted.port()),
                    Integer.toString(forbidden.port()));
            assertEquals(-1, r.fact("forbidden"), r.run()::toString);
            assertEquals(13, r.fact("errno"), r.run()::toString);
            assertEquals(0, forbidden.connections());
            assertEquals(1, r.fact("talked"), r.run()::toString);
        }
    }

    @Test
    void udp_datagramsReachOnlyTheGrantedPort() throws Exception {
        try (var granted = new EchoServers.Udp("127.0.0.1", 0); var forbidden = new EchoServers.Udp("127.0.0.1", 0)) {
            Result r = run(List.of(loopback(granted.port())), "udp", Integer.toString(granted.port()),
                    Integer.toString(forbidden.port()));
            assertEquals(-1, r.fact("forbidden"), r.run()::toString);
            assertEquals(13, r.fact("errno"), r.run()::toString);
            assertEquals(4, r.fact("granted"), r.run()::toString);
            assertEquals(4, r.fact("reply"), "the answer came back to the script: " + r.run());
            assertEquals(-1, r.fact("forbiddenmsg"), r.run()::toString);
            Thread.sleep(200);
            assertEquals(0, forbidden.datagrams());
            assertEquals(1, granted.datagrams());
            assertTrue(r.denials().stream().anyMatch(d -> d.destination().equals("127.0.0.1:" + forbidden.port())
                    && d.protocol().equals("udp")), r.denials()::toString);
        }
    }

    @Test
    void unix_aSocketInOutDirConnects() throws Exception {
        Path socket = crate.outDir.resolve("db.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread.ofVirtual().start(() -> {
                try (SocketChannel c = server.accept()) {
                    ByteBuffer b = ByteBuffer.allocate(4);
                    while (b.hasRemaining() && c.read(b) > 0) {
                        // read the ping
                    }
                    c.write(ByteBuffer.wrap("PING".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                } catch (java.io.IOException e) {
                    // the test fails on the script's side
                }
            });
            Result r = run(List.of(loopback(9)), "unix", socket.toString());
            assertEquals(0, r.fact("unix"), r.run()::toString);
            assertEquals(1, r.fact("talked"), r.run()::toString);
        }
    }

    @Test
    void unix_aSocketInTheReadablePackageDirIsRefused() throws Exception {
        Path socket = crate.packageDir.resolve("agent.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Result r = run(List.of(loopback(9)), "unix", socket.toString());
            assertEquals(-1, r.fact("unix"), r.run()::toString);
            assertEquals(13, r.fact("errno"), r.run()::toString);
            assertTrue(r.denials().stream().anyMatch(d -> d.destination().equals("unix:" + socket)), r.denials()::toString);
        }
    }

    /**
     * A refused path is the script's own text, and it reaches the suggested policy line and the terminal: quoted
     * and escaped, it can neither end the suggestion early (to have the user grant more than the socket) nor
     * write a newline or an escape sequence.
     */
    @Test
    void unix_aRefusedPathCannotWriteItsOwnPolicyLine() throws Exception {
        String path = crate.packageDir + "/s\"], read = [\"/\n\u001b[2J";
        Result r;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Files.createDirectories(Path.of(path).getParent());
            server.bind(UnixDomainSocketAddress.of(path)); // a real socket: a missing one is plain ENOENT
            r = run(List.of(loopback(9)), "unix", path);
        }
        assertEquals(-1, r.fact("unix"), r.run()::toString);
        RouteBroker.Denial denial = r.denials().stream().filter(d -> d.protocol().equals("unix")).findFirst()
                .orElseThrow(() -> new AssertionError(r.run()));
        String quoted = "\"" + crate.packageDir + "/s\\\"], read = [\\\"/\\n\\u001B[2J\""; // TOML-escaped
        assertTrue(denial.fix().startsWith("filesystem-access = { action = \"permit\", paths = [" + quoted + "] }"),
                denial.fix());
        assertFalse(denial.fix().chars().anyMatch(c -> c < 0x20), denial.fix());
        assertFalse(denial.destination().chars().anyMatch(c -> c < 0x20), denial.destination());
    }

    @Test
    void unix_aSymlinkInOutDirToAnOutsideSocketIsRefused() throws Exception {
        Path socket = crate.packageDir.resolve("agent.sock");
        Path link = crate.outDir.resolve("link.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.createSymbolicLink(link, socket);
            Result r = run(List.of(loopback(9)), "unix", link.toString());
            assertEquals(-1, r.fact("unix"), r.run()::toString);
            assertEquals(13, r.fact("errno"), r.run()::toString);
        }
    }
}
