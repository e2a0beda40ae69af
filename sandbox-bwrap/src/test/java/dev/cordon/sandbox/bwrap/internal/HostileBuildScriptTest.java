package dev.cordon.sandbox.bwrap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.SyscallFilter;
import dev.cordon.spi.SyscallFilterCompiler;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile build scripts under the real bwrap: each tries one escape, and the test checks from the host
 * side that it failed (the listener saw nothing, the file is not there, the process is gone). The
 * "script" is a C program ({@code hostile.c}) compiled with gcc, run exactly as its plan says.
 */
class HostileBuildScriptTest {

    @TempDir
    static Path compiled;
    static Path hostileBinary;

    @TempDir
    Path root;
    FakeCrate crate;
    BwrapPlanner planner;

    @BeforeAll
    static void compileHostileProgram() throws Exception {
        RequiredTools.require("bwrap");
        Path gcc = RequiredTools.require("gcc");
        Path source = compiled.resolve("hostile.c");
        try (InputStream in = HostileBuildScriptTest.class.getResourceAsStream("/hostile/hostile.c")) {
            Files.copy(in, source);
        }
        hostileBinary = compiled.resolve("hostile");
        Process p = new ProcessBuilder(gcc.toString(), "-O1", "-o", hostileBinary.toString(), source.toString())
                .inheritIO().start();
        assertEquals(0, p.waitFor(), "gcc hostile.c");
    }

    @BeforeEach
    void layOutCrate() throws IOException {
        crate = new FakeCrate(root);
        Files.copy(hostileBinary, crate.program);
        planner = new BwrapPlanner(PlanRun.installation());
    }

    /** Every attack, in one sandbox configuration. */
    abstract class Attacks {
        private PlanRun attack(String... arguments) throws Exception {
            RunnerInvocation invocation = crate.invocation(arguments);
            Grant grant = crate.grant(invocation);
            return PlanRun.execute(planner.plan(invocation, grant, filter(grant)));
        }

        /** The syscall filter of the variant under test. */
        abstract Optional<SyscallFilter> filter(Grant grant);

        private static void assertBlocked(PlanRun run) {
            assertEquals(0, run.status(), () -> "the hostile program itself failed: " + run);
            assertFalse(run.stdout().contains("ESCAPED"), () -> "escape succeeded: " + run);
            assertTrue(run.stdout().contains("blocked"), () -> "nothing was attempted: " + run);
        }

        @Test
        void launch_tcpToHostListenerNeverConnects() throws Exception {
            try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                assertBlocked(attack("tcp", Integer.toString(listener.getLocalPort())));
                listener.setSoTimeout(1000);
                assertThrows(SocketTimeoutException.class, listener::accept, "the host listener got a connection");
            }
        }

        @Test
        void launch_udpToHostListenerNeverArrives() throws Exception {
            try (DatagramSocket listener = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                // Inside its own network namespace the send "succeeds" on the sandbox's loopback: the proof is
                // that the host socket receives nothing.
                PlanRun run = attack("udp", Integer.toString(listener.getLocalPort()));
                assertEquals(0, run.status(), run::toString);
                listener.setSoTimeout(1000);
                DatagramPacket packet = new DatagramPacket(new byte[16], 16);
                assertThrows(SocketTimeoutException.class, () -> listener.receive(packet), "a packet reached the host");
            }
        }

        @Test
        void launch_hostUnixSocketsInTmpAndHomeUnreachable() throws Exception {
            Path inTmp = Path.of("/tmp", "cordon-agent-" + crate.nonce + ".sock");
            Path inHome = crate.home.resolve("agent.sock");
            try (ServerSocketChannel tmpSocket = listen(inTmp); ServerSocketChannel homeSocket = listen(inHome)) {
                assertBlocked(attack("unix", inTmp.toString()));
                assertBlocked(attack("unix", inHome.toString()));
                assertNull(tmpSocket.accept(), "the /tmp socket got a connection");
                assertNull(homeSocket.accept(), "the $HOME socket got a connection");
            } finally {
                Files.deleteIfExists(inTmp);
            }
        }

        private static ServerSocketChannel listen(Path path) throws IOException {
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(path));
            channel.configureBlocking(false);
            return channel;
        }

        @Test
        void launch_hidesSshKeysAndCargoCredentials() throws Exception {
            PlanRun run = attack("read", crate.home.resolve(".ssh/id_ed25519").toString(),
                    crate.home.resolve(".cargo/credentials.toml").toString());
            assertBlocked(run);
            assertFalse(run.stdout().contains(crate.sshKey) || run.stdout().contains(crate.cargoToken), run::toString);
        }

        @Test
        void launch_hidesSecretEnvironmentIncludingProcOneAndOtherProcesses() throws Exception {
            ProcessBuilder other = new ProcessBuilder("sleep", "30");
            other.environment().put("OTHER_SECRET", "AWS-SECRET-" + crate.nonce);
            Process bystander = other.start();
            try {
                PlanRun run = attack("secret", "AWS-SECRET-", crate.nonce);
                assertBlocked(run);
                assertTrue(run.stdout().contains("blocked secret"), run::toString);
            } finally {
                bystander.destroyForcibly();
            }
        }

        @Test
        void launch_writesToSourceAndTargetRootAreRefused() throws Exception {
            assertBlocked(attack("write", crate.packageDir.resolve("pwned.rs").toString()));
            assertBlocked(attack("write", crate.targetDir.resolve("pwned").toString()));
            assertFalse(Files.exists(crate.packageDir.resolve("pwned.rs")));
            assertFalse(Files.exists(crate.targetDir.resolve("pwned")));
        }

        @Test
        void launch_writesToHomeTmpAndVarTmpAreRefusedNotSilentlyLost() throws Exception {
            Path inHome = crate.home.resolve(".bashrc-" + crate.nonce);
            Path inTmp = Path.of("/tmp", "cordon-escape-" + crate.nonce);
            Path inVarTmp = Path.of("/var/tmp", "cordon-escape-" + crate.nonce);
            // Private, empty and read-only: the script sees the write fail, instead of a write that "works" and
            // vanishes with the sandbox.
            for (Path p : List.of(inHome, inTmp, inVarTmp)) {
                assertBlocked(attack("write", p.toString()));
                assertFalse(Files.exists(p), "the write reached the host: " + p);
            }
        }

        @Test
        void launch_symlinksInOutDirDoNotLeadOutside() throws Exception {
            Path victim = crate.packageDir.resolve("build.rs");
            Files.writeString(victim, "fn main() {}\n");
            assertBlocked(attack("symlink", crate.outDir.resolve("made-by-script").toString(), victim.toString()));
            Path planted = crate.outDir.resolve("planted-by-someone");
            Files.createSymbolicLink(planted, crate.packageDir.resolve("Cargo.toml"));
            assertBlocked(attack("write", planted.toString()));
            assertEquals("fn main() {}\n", Files.readString(victim));
            assertTrue(Files.readString(crate.packageDir.resolve("Cargo.toml")).startsWith("[package]"));
        }

        @Test
        void launch_detachedBackgroundProcessDiesWithTheSandbox() throws Exception {
            Path marker = crate.outDir.resolve("daemon-was-here");
            String tag = "cordon-daemon-" + UUID.randomUUID();
            PlanRun run = attack("daemon", marker.toString(), tag);
            assertEquals(0, run.status(), run::toString);
            assertTrue(run.stdout().contains("daemon started"), run::toString);
            Thread.sleep(3500);
            assertFalse(Files.exists(marker), "a process outlived the sandbox and wrote " + marker);
            assertFalse(hostProcessWith(tag), "a process tagged " + tag + " is still running");
        }

        private static boolean hostProcessWith(String tag) throws IOException {
            try (var procs = Files.list(Path.of("/proc"))) {
                return procs.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
                    try {
                        return new String(Files.readAllBytes(p.resolve("cmdline"))).contains(tag);
                    } catch (IOException e) {
                        return false;
                    }
                });
            }
        }

        @Test
        void launch_ptraceOfParentRefused() throws Exception {
            assertBlocked(attack("ptrace"));
        }

        @Test
        void launch_terminalInjectionImpossible() throws Exception {
            assertBlocked(attack("tiocsti"));
        }

        @Test
        void launch_outDirAndTemporaryDirectoryStayWritable() throws Exception {
            // The control: the sandbox is not simply broken, the writes a build script needs do work.
            PlanRun run = attack("write", crate.outDir.resolve("generated.rs").toString());
            assertTrue(run.stdout().contains("ESCAPED write"), run::toString);
            assertEquals("pwned\n", Files.readString(crate.outDir.resolve("generated.rs")));
            Path tmp = crate.grant(crate.invocation()).temporaryDirectory();
            assertTrue(attack("write", tmp.resolve("scratch").toString()).stdout().contains("ESCAPED write"));
            assertTrue(Files.exists(tmp.resolve("scratch")));
        }
    }

    /** The configuration Cordon runs by default: bwrap plus the seccomp module's default filter. */
    @Nested
    class WithDefaultSyscallFilter extends Attacks {
        @Override
        Optional<SyscallFilter> filter(Grant grant) {
            SyscallFilterCompiler compiler = ServiceLoader.load(SyscallFilterCompiler.class).findFirst().orElseThrow();
            return Optional.of(compiler.compile(grant.syscalls(), grant.network()));
        }
    }

    /**
     * bwrap alone (a policy with {@code syscalls = "off"}): the namespaces must hold by themselves. Here the
     * script runs as PID 1 ({@code --as-pid-1}), so there is no reaper it could ptrace and freeze.
     */
    @Nested
    class WithoutSyscallFilter extends Attacks {
        @Override
        Optional<SyscallFilter> filter(Grant grant) {
            return Optional.empty();
        }
    }

    @Test
    void launch_installsSyscallFilterThroughDescriptor() throws Exception {
        if (!System.getProperty("os.arch").equals("amd64")) {
            RequiredTools.missing("the hand-written test filter is for x86_64");
        }
        RunnerInvocation invocation = crate.invocation("mkdir", crate.outDir.resolve("made").toString());
        ExecutionPlan plan = planner.plan(invocation, crate.grant(invocation),
                Optional.of(new SyscallFilter("test: mkdir -> EPERM", denyMkdir())));
        PlanRun run = PlanRun.execute(plan);
        assertTrue(run.stdout().contains("blocked mkdir"), run::toString);
        assertTrue(run.stdout().contains("Operation not permitted"), run::toString);
        assertFalse(Files.exists(crate.outDir.resolve("made")));
    }

    /** A classic-BPF seccomp program: mkdir (x86_64 syscall 83) fails with EPERM, all else is allowed. */
    private static byte[] denyMkdir() {
        ByteBuffer bpf = ByteBuffer.allocate(4 * 8).order(ByteOrder.nativeOrder());
        instruction(bpf, 0x20, 0, 0, 0);              // ld [nr]
        instruction(bpf, 0x15, 0, 1, 83);             // jeq #83, next, skip
        instruction(bpf, 0x06, 0, 0, 0x00050000 | 1); // ret ERRNO(EPERM)
        instruction(bpf, 0x06, 0, 0, 0x7fff0000);     // ret ALLOW
        return bpf.array();
    }

    private static void instruction(ByteBuffer bpf, int code, int jt, int jf, int k) {
        bpf.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }
}
