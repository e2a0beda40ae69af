package dev.cordon.internal.net;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads and writes {@code struct sockaddr_*} and passes descriptors over a Unix socket. */
final class SocketAddresses {
    private static final ValueLayout.OfShort BIG_ENDIAN_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED
            .withOrder(ByteOrder.BIG_ENDIAN);

    private SocketAddresses() {
    }

    /** {@return the family of an address copy, or -1 when it is too short to have one} */
    static int family(MemorySegment address) {
        return address.byteSize() < 2 ? -1 : Short.toUnsignedInt(address.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
    }

    /**
     * An Internet destination read from a {@code sockaddr_in} or {@code sockaddr_in6} copy.
     *
     * @param address the address
     * @param port the port
     */
    record Inet(InetAddress address, int port) {
    }

    /** {@return the destination, or null when the copy is too short for its family (the kernel says EINVAL)} */
    static Inet inet(MemorySegment copy) {
        int family = family(copy);
        try {
            if (family == Libc.AF_INET && copy.byteSize() >= 16) {
                byte[] raw = copy.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
                return new Inet(InetAddress.getByAddress(raw), Short.toUnsignedInt(copy.get(BIG_ENDIAN_SHORT, 2)));
            }
            // SIN6_LEN_RFC2133: the kernel accepts a sockaddr_in6 without its scope id.
            if (family == Libc.AF_INET6 && copy.byteSize() >= 24) {
                byte[] raw = copy.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
                return new Inet(InetAddress.getByAddress(raw), Short.toUnsignedInt(copy.get(BIG_ENDIAN_SHORT, 2)));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    /**
     * {@return the path of a {@code sockaddr_un} copy: up to the first NUL; empty for an unnamed socket;
     * null for an abstract one (first byte NUL)}
     */
    static String unixPath(MemorySegment copy) {
        if (copy.byteSize() <= 2) {
            return "";
        }
        byte[] raw = copy.asSlice(2).toArray(ValueLayout.JAVA_BYTE);
        if (raw[0] == 0) {
            return null;
        }
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        return new String(Arrays.copyOf(raw, end), StandardCharsets.UTF_8);
    }

    /** {@return a {@code sockaddr_un} for {@code path}, sized to the path and its NUL} */
    static MemorySegment unix(Arena arena, String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= 108) {
            throw new IllegalArgumentException("Unix socket path longer than 107 bytes: " + path);
        }
        MemorySegment address = arena.allocate(2 + bytes.length + 1, 2);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, address, 2, bytes.length);
        return address;
    }

    /**
     * Reads {@code cordon-netjail install}'s announcement ({@code 'L'} and the listener's number, 4 bytes
     * little-endian) with the writer's credentials ({@code SO_PASSCRED} must be on), and takes the
     * listener out of the writer with {@code pidfd_getfd}.
     *
     * @return the listener in this process, or -1 when the announcement or the descriptor is not one
     */
    static int receiveListener(Arena arena, int socket) {
        MemorySegment data = arena.allocate(5);
        MemorySegment iov = arena.allocate(16, 8);
        MemorySegment control = arena.allocate(64, 8);
        MemorySegment message = arena.allocate(56, 8);
        int got = 0;
        int pid = 0;
        while (got < 5) {
            iov.set(ValueLayout.ADDRESS, 0, data.asSlice(got));
            iov.set(ValueLayout.JAVA_LONG, 8, 5L - got);
            message.fill((byte) 0);
            message.set(ValueLayout.ADDRESS, 16, iov);
            message.set(ValueLayout.JAVA_LONG, 24, 1L);
            message.set(ValueLayout.ADDRESS, 32, control);
            message.set(ValueLayout.JAVA_LONG, 40, control.byteSize());
            long n = Libc.recvmsg(socket, message, 0x40000000 /* MSG_CMSG_CLOEXEC */);
            if (n == -Libc.EINTR) {
                continue;
            }
            if (n <= 0) {
                return -1;
            }
            long controlLength = message.get(ValueLayout.JAVA_LONG, 40);
            if (controlLength >= 28 && control.get(ValueLayout.JAVA_INT, 8) == Libc.SOL_SOCKET
                    && control.get(ValueLayout.JAVA_INT, 12) == Libc.SCM_CREDENTIALS) {
                int writer = control.get(ValueLayout.JAVA_INT, 16);
                if (pid != 0 && writer != pid) {
                    return -1; // two writers: not cordon-netjail alone
                }
                pid = writer;
            }
            got += (int) n;
        }
        if (data.get(ValueLayout.JAVA_BYTE, 0) != 'L' || pid <= 0) {
            return -1;
        }
        int number = data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 1);
        int pidfd = Libc.pidfdOpen(pid);
        if (pidfd < 0) {
            return -1;
        }
        int listener;
        try {
            listener = Libc.pidfdGetfd(pidfd, number);
        } finally {
            Libc.close(pidfd);
        }
        if (listener < 0) {
            return -1;
        }
        try {
            String kind = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + listener)).toString();
            if (kind.equals("anon_inode:seccomp notify")) {
                return listener;
            }
        } catch (java.io.IOException e) {
            // not ours to judge further: refuse
        }
        Libc.close(listener);
        return -1;
    }
}
