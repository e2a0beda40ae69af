package dev.cordon.sandbox.bwrap.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** Real loopback servers for route tests: each counts what reached it and answers "ping" with "PING". */
final class EchoServers {
    private EchoServers() {
    }

    /** A TCP server on one loopback address; {@link #connections()} counts accepted connections. */
    static final class Tcp implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();
        private final Thread thread;

        Tcp(String address, int port) throws IOException {
            socket = new ServerSocket(port, 512, InetAddress.getByName(address));
            thread = Thread.ofPlatform().daemon().start(this::accept);
        }

        Tcp(String address) throws IOException {
            this(address, 0);
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket c = socket.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> answer(c));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void answer(Socket c) {
            try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
                byte[] data = in.readNBytes(4);
                out.write(new String(data, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT)
                        .getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // the client went away
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A TCP server whose accept queue is full and never drained: a connect to it stays pending (the kernel drops
     * its SYNs and the client retries for about two minutes).
     */
    static final class Stalled implements AutoCloseable {
        private final ServerSocket socket;
        private final java.util.List<Socket> queued = new java.util.ArrayList<>();

        Stalled() throws IOException {
            socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
            for (int i = 0; i < 8; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new java.net.InetSocketAddress(socket.getInetAddress(), port()), 300);
                    queued.add(s);
                } catch (java.net.SocketTimeoutException e) {
                    s.close();
                    return; // the queue is full
                }
            }
            close();
            throw new IOException("the accept queue of port " + port() + " did not fill");
        }

        int port() {
            return socket.getLocalPort();
        }

        /** {@return how many connects to this server are pending on the host (SYN_SENT in /proc/net/tcp)} */
        long pending() throws IOException {
            String remote = String.format(Locale.ROOT, "0100007F:%04X", port());
            try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/net/tcp"))) {
                return lines.map(String::trim).map(l -> l.split("\\s+"))
                        .filter(f -> f.length > 3 && f[2].equals(remote) && f[3].equals("02")).count();
            }
        }

        @Override
        public void close() throws IOException {
            for (Socket s : queued) {
                s.close();
            }
            socket.close();
        }
    }

    /** A UDP server that answers every datagram; {@link #datagrams()} counts them. */
    static final class Udp implements AutoCloseable {
        private final DatagramSocket socket;
        private final AtomicInteger datagrams = new AtomicInteger();

        Udp(String address, int port) throws IOException {
            socket = new DatagramSocket(port, InetAddress.getByName(address));
            Thread.ofPlatform().daemon().start(this::serve);
        }

        private void serve() {
            byte[] buffer = new byte[64];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    socket.receive(p);
                    datagrams.incrementAndGet();
                    byte[] reply = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII)
                            .toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
                    socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (SocketException e) {
                    return;
                } catch (IOException e) {
                    // keep serving
                }
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        int datagrams() {
            return datagrams.get();
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
