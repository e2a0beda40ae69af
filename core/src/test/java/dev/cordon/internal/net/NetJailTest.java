package dev.cordon.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExitCodes;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cordon-netjail} on its own: every malformed argument or message stops it with exit 77 before the
 * command runs, and the connect step hands the connection to the command at the asked number.
 */
class NetJailTest {

    @TempDir
    Path dir;
    static Path helper;

    @BeforeAll
    static void extract() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux only");
        helper = RouteLayout.helper();
    }

    private record Run(int status, String stderr) {
    }

    /** Runs the helper under bash, which may first open descriptors ({@code setup}). */
    private Run run(String setup, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/bash", "-c", setup + "\nexec \"$@\"", "bash",
                helper.toString()));
        command.addAll(List.of(arguments));
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "cordon-netjail hung");
        return new Run(p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private Path marker() {
        return dir.resolve("ran");
    }

    private void assertRefused(Run run, String message) {
        assertEquals(ExitCodes.UNENFORCEABLE, run.status(), run::stderr);
        assertTrue(run.stderr().contains(message), run::stderr);
        assertFalse(Files.exists(marker()), "the command ran");
    }

    /**
     * A long-lived runner (the plan daemon) keeps the helper's path; when the file goes (a cache folder cleaned, a
     * temporary HOME removed), the next plan gets a freshly extracted one, not a path bwrap cannot execute (which
     * the backend's probe took for "bwrap cannot create namespaces here").
     */
    @Test
    void helper_isExtractedAgainWhenTheExtractedFileWasRemoved() throws Exception {
        Path first = RouteLayout.helper();
        assertTrue(Files.isExecutable(first), first.toString());
        Files.delete(first);
        Path again = RouteLayout.helper();
        assertTrue(Files.isExecutable(again), "the helper is gone: " + again);
        helper = again; // the other tests' copy
    }

    @Test
    void netjail_withoutArgumentsPrintsItsUsage() throws Exception {
        assertRefused(run(""), "usage: cordon-netjail connect SOCKET FD");
        assertRefused(run("", "install", "3", "/usr/bin/touch", marker().toString()), "usage");
        assertRefused(run("", "launch", "3", "--", "/usr/bin/touch", marker().toString()), "usage");
    }

    @Test
    void netjail_refusesDescriptorNumbersThatAreNotOneOfItsOwn() throws Exception {
        for (String fd : List.of("2", "1024", "abc", "", "-3", "99999", "3x")) {
            assertRefused(run("", "install", fd, "--", "/usr/bin/touch", marker().toString()), "");
        }
    }

    @Test
    void install_refusesAChannelThatClosesBeforeTheFilter() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty"));
        assertRefused(run("exec 3<" + empty, "install", "3", "--", "/usr/bin/touch", marker().toString()),
                "the supervisor closed the connection early");
    }

    @Test
    void install_refusesFiltersOfAnInvalidSize() throws Exception {
        for (int size : List.of(0, 7, 4097 * 8)) {
            Path file = dir.resolve("filter-" + size);
            Files.write(file, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(size).array());
            assertRefused(run("exec 3<" + file, "install", "3", "--", "/usr/bin/touch", marker().toString()),
                    "invalid size");
        }
    }

    @Test
    void install_refusesAProgramTheKernelRejects() throws Exception {
        Path file = dir.resolve("filter");
        ByteBuffer bytes = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(8);
        bytes.putShort((short) 0x20).put((byte) 0).put((byte) 0).putInt(4096); // load beyond seccomp_data, no return
        Files.write(file, bytes.array());
        assertRefused(run("exec 3<" + file, "install", "3", "--", "/usr/bin/touch", marker().toString()),
                "seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER)");
    }

    @Test
    void connect_refusesAMissingSupervisor() throws Exception {
        assertRefused(run("", "connect", dir.resolve("nobody").toString(), "5", "--", "/usr/bin/touch",
                marker().toString()), "connect to the supervisor");
    }

    @Test
    void connect_handsTheConnectionToTheCommandAtTheAskedNumber() throws Exception {
        Path socket = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread reader = Thread.ofPlatform().start(() -> {
                try (SocketChannel c = server.accept()) {
                    ByteBuffer b = ByteBuffer.allocate(5);
                    while (b.hasRemaining() && c.read(b) > 0) {
                        // read "hello"
                    }
                    Files.writeString(marker(), new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the assertion below fails
                }
            });
            Run run = run("", "connect", socket.toString(), "7", "--", "/bin/sh", "-c", "printf hello >&7");
            reader.join(10_000);
            assertEquals(0, run.status(), run::stderr);
            assertEquals("hello", Files.readString(marker()));
        }
    }
}
