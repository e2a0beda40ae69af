package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thin client (C) against a daemon played by this test: the real binary, every message it must handle,
 * and the malformed ones it must refuse without running anything or crashing.
 */
class ClientProtocolTest {
    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static WarmPath warm;
    private Path runtime;
    private ServerSocketChannel server;

    /** The "JVM runner" the client falls back to: it only says that it ran. */
    private static final List<String> FALLBACK = List.of("/bin/echo", "fell-back-to-the-jvm");

    @BeforeAll
    static void compile() throws Exception {
        warm = WarmPath.in(shared);
    }

    @BeforeEach
    void listen() throws IOException {
        runtime = Files.createDirectory(dir.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path sockets = Files.createDirectory(runtime.resolve("cordon"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sockets.resolve(String.format("runner-%016x.sock", hash(FALLBACK)))));
    }

    /** The client's socket name: FNV-1a 64 over the JVM command's words, each ended by NUL. */
    private static long hash(List<String> words) {
        long h = 0xcbf29ce484222325L;
        for (String word : words) {
            for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
                h ^= b & 0xff;
                h *= 0x100000001b3L;
            }
            h *= 0x100000001b3L;
        }
        return h;
    }

    private record Ran(int exitCode, String stdout, String stderr) {
    }

    /** Runs the client with a daemon that talks as {@code daemon} says. */
    private Ran client(Consumer<SocketChannel> daemon) throws Exception {
        CompletableFuture<Void> side = CompletableFuture.runAsync(() -> {
            try (SocketChannel channel = server.accept()) {
                daemon.accept(channel);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        List<String> cmd = new ArrayList<>(List.of(shared.resolve("cordon-client").toString(),
                Integer.toString(FALLBACK.size())));
        cmd.addAll(FALLBACK);
        cmd.addAll(List.of("run", "/nonexistent/build-script-build"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        pb.environment().remove("CORDON_NO_DAEMON");
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the client hung");
        side.get(20, TimeUnit.SECONDS);
        return new Ran(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static List<String> receive(SocketChannel channel) {
        try {
            return Wire.receive(channel);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(SocketChannel channel, List<String> message) {
        try {
            Wire.send(channel, message);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sendRaw(SocketChannel channel, byte[] bytes) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> exec(String... argv) {
        return exec(List.of(), -1, argv);
    }

    private static List<String> exec(List<String> cgroupProcs, long openFiles, String... argv) {
        return exec(List.of(), cgroupProcs, openFiles, argv);
    }

    /** @param descriptors kind, number and source of each descriptor, flat */
    private static List<String> exec(List<String> descriptors, List<String> cgroupProcs, long openFiles,
            String... argv) {
        List<String> m = new ArrayList<>(List.of("EXEC", "/"));
        m.add(Integer.toString(argv.length));
        m.addAll(List.of(argv));
        m.addAll(List.of("1", "PATH=/usr/bin:/bin"));
        m.add(Integer.toString(descriptors.size() / 3));
        m.addAll(descriptors);
        m.add(Integer.toString(cgroupProcs.size()));
        m.addAll(cgroupProcs);
        m.add(Long.toString(openFiles));
        return m;
    }

    private static String readAll(long pid, String fd) {
        try (InputStream in = new FileInputStream("/proc/" + pid + "/fd/" + fd)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void client_runsThePlanAndEndsWithTheDaemonsExitCode() throws Exception {
        List<String> seen = new ArrayList<>();
        Ran ran = client(channel -> {
            List<String> run = receive(channel);
            seen.add(run.getFirst());
            seen.add(run.get(3) + " " + run.get(4) + " " + run.get(5)); // argc and the arguments
            send(channel, exec("/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"));
            List<String> started = receive(channel);
            seen.add(started.getFirst());
            long client = Long.parseLong(run.get(1));
            seen.add(readAll(client, started.get(2)) + "|" + readAll(client, started.get(3)));
            seen.add(String.join(" ", receive(channel)));
            send(channel, List.of("DONE", "3"));
        });
        assertEquals(List.of("RUN", "2 run /nonexistent/build-script-build", "STARTED", "to-stdout\n|to-stderr\n",
                "EXITED 3"), seen);
        assertEquals(3, ran.exitCode(), ran.stderr());
        assertEquals("", ran.stdout(), "the client itself writes nothing to Cargo's stdout");
    }

    @Test
    void client_killsThePlanWhenTheDaemonSaysSo() throws Exception {
        List<String> exited = new ArrayList<>();
        Ran ran = client(channel -> {
            receive(channel);
            send(channel, exec("/bin/sleep", "30"));
            receive(channel); // STARTED
            send(channel, List.of("KILL"));
            exited.addAll(receive(channel));
            send(channel, List.of("DONE", "124"));
        });
        assertEquals(List.of("EXITED", "137"), exited);
        assertEquals(124, ran.exitCode());
    }

    @Test
    void client_fallsBackToTheJvmRunnerOnlyBeforeAPlanStarted() throws Exception {
        Ran ran = client(channel -> {
            receive(channel);
            send(channel, List.of("FALLBACK", "the class path changed"));
        });
        assertEquals(0, ran.exitCode(), ran.stderr());
        assertEquals("fell-back-to-the-jvm run /nonexistent/build-script-build\n", ran.stdout());
    }

    @Test
    void client_reportsAProgramThatCannotStart() throws Exception {
        List<String> answer = new ArrayList<>();
        Ran ran = client(channel -> {
            receive(channel);
            send(channel, exec("/nonexistent/program"));
            answer.addAll(receive(channel));
            send(channel, List.of("DONE", "71"));
        });
        assertEquals("FAILED", answer.getFirst());
        assertTrue(answer.get(1).contains("cannot run /nonexistent/program"), answer.toString());
        assertEquals(71, ran.exitCode());
    }

    @Test
    void client_killsItsScriptAndFailsWhenTheDaemonGoesAway() throws Exception {
        Path marker = dir.resolve("survived");
        Ran ran = client(channel -> {
            receive(channel);
            send(channel, exec("/bin/sh", "-c", "sleep 2; touch '" + marker + "'"));
            receive(channel); // STARTED, then the daemon dies
        });
        assertEquals(70, ran.exitCode());
        assertTrue(ran.stderr().contains("the plan daemon went away"), ran.stderr());
        Thread.sleep(2500);
        assertFalse(Files.exists(marker), "the script outlived its client");
    }

    /**
     * The run's limits are set by the client between fork and exec, not by programs in front of the plan: the
     * child writes its own pid to each cgroup.procs file (plain files stand in for a cgroup here; the cgroup
     * itself is tested through real Cargo in ResourceLimitsTest) and sets the open-files limit, soft and hard.
     */
    @Test
    void client_joinsTheRunsCgroupsAndSetsTheOpenFilesLimitBeforeThePlanStarts() throws Exception {
        Path pids = Files.writeString(dir.resolve("pids.procs"), "");
        Path memory = Files.writeString(dir.resolve("memory.procs"), "");
        List<String> output = new ArrayList<>();
        Ran ran = client(channel -> {
            List<String> run = receive(channel);
            send(channel, exec(List.of(pids.toString(), memory.toString()), 321, "/bin/sh", "-c",
                    "echo $$ $(cat '" + pids + "') $(cat '" + memory + "') $(ulimit -Sn) $(ulimit -Hn)"));
            List<String> started = receive(channel);
            output.add(readAll(Long.parseLong(run.get(1)), started.get(2)).trim());
            receive(channel); // EXITED
            send(channel, List.of("DONE", "0"));
        });
        assertEquals(0, ran.exitCode(), ran.stderr());
        String[] f = output.getFirst().split(" ");
        assertEquals(List.of(f[0], f[0], f[0], "321", "321"), List.of(f), "the plan's own pid was in both groups");
    }

    @Test
    void client_startsNothingWhenItCannotJoinTheRunsCgroup() throws Exception {
        Path marker = dir.resolve("ran");
        List<String> answer = new ArrayList<>();
        Ran ran = client(channel -> {
            receive(channel);
            send(channel, exec(List.of("/nonexistent/cgroup.procs"), -1, "/bin/sh", "-c", "touch '" + marker + "'"));
            answer.addAll(receive(channel));
            send(channel, List.of("DONE", "71"));
        });
        assertEquals("FAILED", answer.getFirst());
        assertTrue(answer.get(1).contains("cannot join the run's cgroup /nonexistent/cgroup.procs"), answer.toString());
        assertFalse(Files.exists(marker), "the plan ran outside its limits");
        assertEquals(71, ran.exitCode());
    }

    /**
     * A network-route plan's connection to its supervisor: the client connects the Unix socket itself, between
     * fork and exec, and the plan holds the connection at the number asked (no helper process in front).
     */
    @Test
    void client_connectsAUnixSocketForThePlanAtTheNumberAsked() throws Exception {
        Path socket = dir.resolve("broker.sock");
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel
                .open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            Ran ran = client(channel -> {
                receive(channel);
                send(channel, exec(List.of("U", "7", socket.toString()), List.of(), -1, "/bin/sh", "-c",
                        "echo hello-from-the-plan >&7"));
                receive(channel); // STARTED
                receive(channel); // EXITED
                send(channel, List.of("DONE", "0"));
            });
            assertEquals(0, ran.exitCode(), ran.stderr());
            try (java.nio.channels.SocketChannel accepted = server.accept()) {
                ByteBuffer got = ByteBuffer.allocate(64);
                while (accepted.read(got) > 0) {
                    // to the end
                }
                assertEquals("hello-from-the-plan\n", new String(got.array(), 0, got.position(),
                        StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void client_startsNothingWhenItCannotConnectThePlansSocket() throws Exception {
        Path marker = dir.resolve("ran");
        List<String> answer = new ArrayList<>();
        Ran ran = client(channel -> {
            receive(channel);
            send(channel, exec(List.of("U", "7", dir.resolve("nobody-listens.sock").toString()), List.of(), -1,
                    "/bin/sh", "-c", "touch '" + marker + "'"));
            answer.addAll(receive(channel));
            send(channel, List.of("DONE", "71"));
        });
        assertEquals("FAILED", answer.getFirst());
        assertTrue(answer.get(1).contains("cannot connect to " + dir.resolve("nobody-listens.sock")),
                answer.toString());
        assertFalse(Files.exists(marker), "the plan ran without its connection");
        assertEquals(71, ran.exitCode());
    }

    @Test
    void client_refusesMalformedMessagesWithoutRunningAnything() throws Exception {
        List<byte[]> bad = List.of(
                new byte[] {0, 0, 0, 0},                                     // empty frame
                new byte[] {(byte) 0x7f, 0, 0, 0},                           // 2 GiB frame
                new byte[] {0, 0, 0, 4, 'E', 'X', 'E', 'C'},                 // no NUL at the end
                frame("EXEC", "/", "-1"),                                    // negative argc
                frame("EXEC", "/", "99999999999999999999"),                  // overflowing argc
                frame("EXEC", "/", "3", "/bin/true"),                        // argc beyond the message
                frame("EXEC", "/", "1", "/bin/true", "x1"),                  // not a number
                frame("EXEC", "/", "1", "/bin/true", "0", "1", "Q", "5", "1"), // unknown descriptor kind
                frame("EXEC", "/", "1", "/bin/true", "0", "1", "I", "2", "1"), // descriptor below 3
                frame("EXEC", "/", "1", "/bin/true", "0", "1", "U", "5", "rel.sock"), // relative socket path
                frame("EXEC", "/", "1", "/bin/true", "0", "1", "U", "5", "/" + "s".repeat(200)), // path too long
                frame("EXEC", "/", "1", "/bin/true", "0", "0", "17"),         // too many cgroups
                frame("EXEC", "/", "1", "/bin/true", "0", "0", "1"),          // cgroup beyond the message
                frame("EXEC", "/", "1", "/bin/true", "0", "0", "0", "0"),     // open-files limit 0
                frame("EXEC", "/", "1", "/bin/true", "0", "0", "0"),          // no open-files field
                frame("DONE", "300"),                                        // exit code out of range
                frame("WHAT"));
        for (byte[] message : bad) {
            Ran ran = client(channel -> {
                receive(channel);
                sendRaw(channel, message);
            });
            assertEquals(70, ran.exitCode(), "for " + new String(message, StandardCharsets.ISO_8859_1) + ": "
                    + ran.stderr());
            assertTrue(ran.stderr().startsWith("cordon: error: "), ran.stderr());
            assertEquals("", ran.stdout());
        }
    }

    private static byte[] frame(String... fields) {
        byte[] body = Wire.encode(List.of(fields));
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    /** The daemon's framing, written out here so the test pins the format itself (DaemonProtocol). */
    private static final class Wire {
        static byte[] encode(List<String> fields) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (String f : fields) {
                out.writeBytes(f.getBytes(StandardCharsets.UTF_8));
                out.write(0);
            }
            return out.toByteArray();
        }

        static void send(SocketChannel channel, List<String> fields) throws IOException {
            sendRaw(channel, frame(fields.toArray(String[]::new)));
        }

        static List<String> receive(SocketChannel channel) throws IOException {
            ByteBuffer header = ByteBuffer.allocate(4);
            while (header.hasRemaining()) {
                if (channel.read(header) < 0) {
                    return List.of("EOF");
                }
            }
            ByteBuffer body = ByteBuffer.allocate(header.flip().getInt());
            while (body.hasRemaining()) {
                if (channel.read(body) < 0) {
                    return List.of("EOF");
                }
            }
            List<String> fields = new ArrayList<>();
            int start = 0;
            byte[] bytes = body.array();
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    fields.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return fields;
        }
    }
}
