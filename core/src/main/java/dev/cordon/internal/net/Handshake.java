package dev.cordon.internal.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The supervisor's side of the start-up exchange with {@code cordon-netjail}: accept the one connection
 * ({@code cordon-netjail connect}, outside the sandbox, same user), send the filter program, read the
 * announcement of {@code cordon-netjail install} (inside the sandbox) and take its listener with
 * {@code pidfd_getfd}, then acknowledge so that it execs the build script.
 */
final class Handshake {
    private Handshake() {
    }

    /**
     * Takes the one connection, sends the filter, receives the listener.
     *
     * @param server the listening socket; set to -1 (and closed) once the connection is taken
     * @param closed whether the broker was closed meanwhile
     * @param filter the route filter to send
     * @param deleteSocket removes the socket file and its directory
     * @return the listener, or -1 when closed first or the other side broke the protocol
     */
    static int take(AtomicInteger server, BooleanSupplier closed, byte[] filter, Runnable deleteSocket) {
        int connection = -1;
        try (Arena arena = Arena.ofConfined()) {
            while (!closed.getAsBoolean()) {
                int fd = server.get();
                if (fd < 0) {
                    return -1;
                }
                int ready = Libc.poll(arena, fd, Libc.POLLIN, 100);
                if (ready > 0) {
                    connection = Libc.accept(fd);
                    if (connection >= 0 && sameUser(arena, connection)) {
                        break;
                    }
                    closeQuietly(connection);
                    connection = -1;
                }
            }
            if (connection < 0) {
                return -1;
            }
            closeQuietly(server.getAndSet(-1));
            deleteSocket.run();
            // The announcement carries its writer's pid: the listener is taken from that process.
            if (Libc.setIntOption(arena, connection, Libc.SOL_SOCKET, Libc.SO_PASSCRED, 1) < 0) {
                return -1;
            }
            MemorySegment out = arena.allocate(4 + filter.length);
            out.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0, filter.length);
            MemorySegment.copy(MemorySegment.ofArray(filter), 0, out, 4, filter.length);
            long off = 0;
            while (off < out.byteSize()) {
                long n = Libc.write(connection, out.asSlice(off), out.byteSize() - off);
                if (n == -Libc.EINTR) {
                    continue;
                }
                if (n <= 0) {
                    return -1;
                }
                off += n;
            }
            int received = SocketAddresses.receiveListener(arena, connection);
            if (received < 0) {
                return -1;
            }
            MemorySegment ack = arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 'A');
            if (Libc.write(connection, ack, 1) != 1) {
                closeQuietly(received);
                return -1;
            }
            return received;
        } finally {
            closeQuietly(connection);
        }
    }

    private static boolean sameUser(Arena arena, int connection) {
        MemorySegment cred = arena.allocate(12, 4);
        MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
        length.set(ValueLayout.JAVA_INT, 0, 12);
        if (Libc.getsockopt(connection, Libc.SOL_SOCKET, Libc.SO_PEERCRED, cred, length) < 0) {
            return false;
        }
        return OWN_UID >= 0 && cred.get(ValueLayout.JAVA_INT, 4) == OWN_UID;
    }

    /** This process's user id, read once (not on every route-granted run); -1 when unreadable (nobody matches). */
    private static final int OWN_UID = ownUid();

    private static int ownUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void closeQuietly(int fd) {
        RouteBroker.closeQuietly(fd);
    }
}
