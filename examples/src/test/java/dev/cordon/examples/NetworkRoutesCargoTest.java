package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Network routes on Linux through real Cargo and the reference runner: the seed policy's
 * {@code routes = ["127.0.0.1:PORT"]} lets a build script talk to exactly that server, and nothing else, on
 * every launch path (the other tests here: the cold path).
 */
class NetworkRoutesCargoTest {

    @TempDir
    static Path shared;
    @TempDir
    Path dir;
    private static LaunchPaths paths;

    @BeforeAll
    static void tools() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        paths = LaunchPaths.in(shared.resolve("paths"));
    }

    @AfterAll
    static void stop() throws IOException {
        paths.close();
    }

    /** A loopback TCP server that answers "ping" with "PING" and counts connections. */
    static final class Server implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger connections = new AtomicInteger();

        Server(String address, int port) throws IOException {
            socket = new ServerSocket(port, 50, InetAddress.getByName(address));
            Thread.ofPlatform().daemon().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket c = socket.accept(); InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
                        connections.incrementAndGet();
                        out.write(new String(in.readNBytes(4), StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT)
                                .getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A build script that tries each target ("tcp HOST:PORT" or "udp HOST:PORT") and reports the outcome. */
    private static String probeScript(List<String> targets) {
        StringBuilder list = new StringBuilder();
        for (String t : targets) {
            list.append('"').append(t).append("\", ");
        }
        return """
                use std::io::{Read, Write};
                use std::net::{TcpStream, UdpSocket};
                use std::time::Duration;
                fn main() {
                    for target in [%s] {
                        let (kind, address) = target.split_once(' ').unwrap();
                        let outcome = if kind == "tcp" {
                            match TcpStream::connect(address) {
                                Ok(mut s) => {
                                    s.write_all(b"ping").unwrap();
                                    let mut answer = [0u8; 4];
                                    s.read_exact(&mut answer).unwrap();
                                    format!("answered {}", String::from_utf8_lossy(&answer))
                                }
                                Err(e) => format!("refused {:?}", e.kind()),
                            }
                        } else {
                            let s = UdpSocket::bind("0.0.0.0:0").unwrap();
                            s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
                            match s.send_to(b"ping", address) {
                                Ok(_) => {
                                    let mut answer = [0u8; 4];
                                    match s.recv(&mut answer) {
                                        Ok(_) => format!("answered {}", String::from_utf8_lossy(&answer)),
                                        Err(e) => format!("no answer {:?}", e.kind()),
                                    }
                                }
                                Err(e) => format!("refused {:?}", e.kind()),
                            }
                        };
                        println!("cargo::warning={target} -> {outcome}");
                    }
                    if std::env::var("PROBE_FAIL").is_ok() { std::process::exit(1); }
                }
                """.formatted(list);
    }

    private CargoProject.Result build(String policy, List<String> targets, boolean fail) throws IOException {
        return build(policy, targets, fail, "cold");
    }

    private CargoProject.Result build(String policy, List<String> targets, boolean fail, String pathName)
            throws IOException {
        return build("probe", policy, targets, fail, pathName);
    }

    private CargoProject.Result build(String crate, String policy, List<String> targets, boolean fail,
            String pathName) throws IOException {
        Path policyFile = dir.resolve("cordon.toml");
        Files.writeString(policyFile, policy);
        String script = probeScript(targets);
        if (fail) {
            script = script.replace("std::env::var(\"PROBE_FAIL\").is_ok()", "true");
        }
        LaunchPaths.LaunchPath path = paths.all().stream().filter(p -> p.name().equals(pathName)).findFirst()
                .orElseThrow();
        CargoProject project = CargoProject.in(dir.resolve(crate.equals("probe") ? "ws" : "ws-" + crate)).binaryPackage(crate, script, "fn main() {}");
        path.wire(project, List.of("--policy", policyFile.toString()), crate);
        return path.build(project, dir.resolve("target"));
    }

    private static String routes(String crate, String... routes) {
        return "[permissions.build." + crate + "]\nnetwork-access = { action = \"permit\", routes = [\""
                + String.join("\", \"", routes) + "\"] }\n";
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cold", "warm", "stable", "team"})
    void build_grantedRouteExchangesBytesAndEveryOtherDestinationIsRefused(String pathName) throws Exception {
        try (Server granted = new Server("127.0.0.1", 0);
                Server otherPort = new Server("127.0.0.1", 0);
                Server otherAddress = new Server("127.0.0.2", granted.port());
                Server ipv6 = new Server("::1", granted.port());
                DatagramSocket udp = new DatagramSocket(otherPort.port(), InetAddress.getByName("127.0.0.1"))) {
            int port = granted.port();
            var result = build(routes("probe", "127.0.0.1:" + port), List.of("tcp 127.0.0.1:" + port,
                    "tcp 127.0.0.1:" + otherPort.port(), "tcp 127.0.0.2:" + port, "tcp [::1]:" + port,
                    "udp 127.0.0.1:" + otherPort.port()), false, pathName);
            assertEquals(0, result.exitCode(), result.stderr());
            String out = result.outputOf("probe-");
            assertTrue(out.contains("tcp 127.0.0.1:" + port + " -> answered PING"), out);
            assertTrue(out.contains("tcp 127.0.0.1:" + otherPort.port() + " -> refused PermissionDenied"), out);
            assertTrue(out.contains("tcp 127.0.0.2:" + port + " -> refused PermissionDenied"), out);
            assertTrue(out.contains("tcp [::1]:" + port + " -> refused PermissionDenied"), out);
            assertTrue(out.contains("udp 127.0.0.1:" + otherPort.port() + " -> refused PermissionDenied"), out);
            // The script succeeded, so Cargo shows its stderr to no one: each refusal is a Cargo warning.
            for (String refused : List.of("127.0.0.1:" + otherPort.port() + " (tcp", "127.0.0.2:" + port + " (tcp",
                    "[::1]:" + port + " (tcp", "127.0.0.1:" + otherPort.port() + " (udp")) {
                assertTrue(result.stderr().contains("warning: probe@0.1.0: cordon: crate 'probe' tried to connect to "
                        + refused), "no warning for " + refused + ":\n" + result.stderr());
            }
            assertEquals(1, granted.connections.get());
            assertEquals(0, otherPort.connections.get() + otherAddress.connections.get() + ipv6.connections.get());
            udp.setSoTimeout(200);
            assertThrowsTimeout(udp);
        }
    }

    private static void assertThrowsTimeout(DatagramSocket udp) {
        try {
            udp.receive(new DatagramPacket(new byte[8], 8));
            throw new AssertionError("a datagram reached the non-granted UDP port");
        } catch (java.net.SocketTimeoutException expected) {
            // nothing arrived
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void build_grantedUdpRouteGetsItsAnswer() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    DatagramPacket p = new DatagramPacket(new byte[16], 16);
                    server.receive(p);
                    server.send(new DatagramPacket("PING".getBytes(StandardCharsets.US_ASCII), 4, p.getSocketAddress()));
                } catch (IOException e) {
                    // the assertion below fails
                }
            });
            int port = server.getLocalPort();
            var result = build(routes("probe", "127.0.0.1:" + port), List.of("udp 127.0.0.1:" + port), false);
            assertEquals(0, result.exitCode(), result.stderr());
            assertTrue(result.outputOf("probe-").contains("udp 127.0.0.1:" + port + " -> answered PING"),
                    result.outputOf("probe-"));
        }
    }

    @Test
    void build_nameRouteResolvesThroughTheGeneratedHostsFile() throws Exception {
        try (Server granted = new Server("127.0.0.1", 0)) {
            int port = granted.port();
            var result = build(routes("probe", "localhost:" + port), List.of("tcp localhost:" + port), false);
            assertEquals(0, result.exitCode(), result.stderr());
            assertTrue(result.outputOf("probe-").contains("tcp localhost:" + port + " -> answered PING"),
                    result.outputOf("probe-"));
            try (var hosts = Files.walk(dir.resolve("target/debug/build"))) {
                Path file = hosts.filter(p -> p.getFileName().toString().equals("cordon-hosts")).findFirst().orElseThrow();
                List<String> names = Files.readAllLines(file).stream().filter(l -> !l.startsWith("#"))
                        .map(l -> l.split(" ")[1]).distinct().toList();
                assertEquals(List.of("localhost"), names, "exactly the route's names");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cold", "warm", "stable", "team"})
    void build_crateWithoutTheGrantGetsNothing(String pathName) throws Exception {
        try (Server server = new Server("127.0.0.1", 0)) {
            int port = server.port();
            var result = build(routes("another-crate", "127.0.0.1:" + port), List.of("tcp 127.0.0.1:" + port), false,
                    pathName);
            assertEquals(0, result.exitCode(), result.stderr());
            assertTrue(result.outputOf("probe-").contains("tcp 127.0.0.1:" + port + " -> refused"), result.outputOf("probe-"));
            assertEquals(0, server.connections.get());
        }
    }

    @Test
    void build_failureExplanationNamesTheRefusedDestinationAndThePolicyLine() throws Exception {
        try (Server granted = new Server("127.0.0.1", 0)) {
            int port = granted.port();
            var result = build(routes("probe", "127.0.0.1:" + port), List.of("tcp 10.255.255.1:443"), true);
            assertNotEquals(0, result.exitCode());
            assertTrue(result.stderr().contains("crate 'probe' tried to connect to 10.255.255.1:443"), result.stderr());
            assertTrue(result.stderr().contains("network-access = { action = \"permit\", routes = [\"10.255.255.1:443\"] }"),
                    result.stderr());
        }
    }

    /** Issue 16: a crate named like a policy key is told its own table, which a policy reads back as that crate's. */
    @Test
    void build_refusalOfACrateNamedLikeAKeyNamesItsCratesTable() throws Exception {
        try (Server granted = new Server("127.0.0.1", 0)) {
            String policy = "[permissions.build.crates.env]\nnetwork-access = { action = \"permit\", routes = "
                    + "[\"127.0.0.1:" + granted.port() + "\"] }\n";
            var result = build("env", policy, List.of("tcp 10.255.255.1:443"), true, "cold");
            assertNotEquals(0, result.exitCode());
            assertTrue(result.stderr().contains("crate 'env' tried to connect to 10.255.255.1:443 (tcp, refused with "
                    + "EACCES); to allow it, in [permissions.build.crates.env]: network-access = { action = \"permit\","
                    + " routes = [\"10.255.255.1:443\"] }"), result.stderr());
        }
    }
}
