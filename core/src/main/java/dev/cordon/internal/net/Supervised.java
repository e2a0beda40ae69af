package dev.cordon.internal.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The answer to one notification: reads what the call names from the caller's memory once, decides on
 * that copy and performs the call on the caller's behalf. Every method returns the call's result or a
 * negated errno.
 */
final class Supervised {
    private static final boolean AARCH64 = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)
            .equals("aarch64");
    private static final int NR_CONNECT = AARCH64 ? 203 : 42;
    private static final int NR_SENDTO = AARCH64 ? 206 : 44;
    private static final int NR_SENDMSG = AARCH64 ? 211 : 46;
    private static final int NR_SENDMMSG = AARCH64 ? 269 : 307;

    private final RouteBroker broker;
    private final Notification call;

    Supervised(RouteBroker broker, Notification call) {
        this.broker = broker;
        this.call = call;
    }

    long answer() {
        if (call.pidfd < 0 || !call.valid()) {
            return -Libc.EACCES; // gone, or the pid was reused: nothing to act on
        }
        long[] a = call.args;
        if (call.nr == NR_CONNECT) {
            return connect((int) a[0], a[1], (int) a[2]);
        }
        if (call.nr == NR_SENDTO) {
            return sendto((int) a[0], a[1], a[2], (int) a[3], a[4], (int) a[5]);
        }
        if (call.nr == NR_SENDMSG) {
            return sendmsg((int) a[0], a[1], (int) a[2]);
        }
        if (call.nr == NR_SENDMMSG) {
            return sendmmsg((int) a[0], a[1], (int) Math.min(a[2] & 0xFFFF_FFFFL, RouteBroker.maxMessages()), (int) a[3]);
        }
        return -Libc.EACCES;
    }

    // ---- reading the caller ----

    /** {@return a copy of {@code length} bytes at {@code remote}, or null when unreadable} */
    private MemorySegment read(long remote, long length) {
        MemorySegment local = call.arena.allocate(Math.max(length, 1), 8).asSlice(0, length);
        long n = Libc.readMemory(call.arena, call.pid, remote, local);
        return n == length ? local : null;
    }

    private MemorySegment readAddress(long remote, int length) {
        if (length < 0 || length > RouteBroker.sockaddrMax()) {
            return null;
        }
        return read(remote, length);
    }

    /** The caller's socket, taken out of it (same open file); {@return the descriptor or the negated errno} */
    private int socketOf(int fd) {
        return Libc.pidfdGetfd(call.pidfd, fd); // not a socket: Socket.of finds out
    }

    // ---- the calls ----

    private long connect(int fd, long addressPointer, int length) {
        MemorySegment address = readAddress(addressPointer, length);
        if (address == null) {
            return length < 0 || length > RouteBroker.sockaddrMax() ? -Libc.EINVAL : -Libc.EFAULT;
        }
        int sfd = socketOf(fd);
        if (sfd < 0) {
            return sfd;
        }
        try {
            if (!call.valid()) {
                return -Libc.EACCES;
            }
            Socket socket = Socket.of(call, sfd);
            if (socket.domain < 0) {
                return socket.domain; // ENOTSOCK
            }
            if (socket.isInet()) {
                if (SocketAddresses.family(address) == 0) {
                    return Libc.connect(sfd, address, length); // AF_UNSPEC: dissolve a UDP association
                }
                SocketAddresses.Inet destination = SocketAddresses.inet(address);
                if (destination == null) {
                    return -Libc.EINVAL;
                }
                if (!allowed(socket, destination)) {
                    return -Libc.EACCES;
                }
                int host = hostSocket(socket);
                if (host < 0) {
                    return host;
                }
                int r = connectForCaller(host, address, length);
                if (r < 0) {
                    Libc.close(host);
                    return r;
                }
                return install(host, fd, socket);
            }
            if (socket.domain == Libc.AF_UNIX) {
                return new UnixDestinations(broker, call).connectOrSend(sfd, address, null);
            }
            broker.deny("a socket of family " + socket.domain, "other", "(only Internet and Unix sockets are supervised)");
            return -Libc.EACCES;
        } finally {
            Libc.close(sfd);
        }
    }

    private long sendto(int fd, long buffer, long length, int flags, long addressPointer, int addressLength) {
        MemorySegment address = readAddress(addressPointer, addressLength);
        if (address == null) {
            return addressLength < 0 || addressLength > RouteBroker.sockaddrMax() ? -Libc.EINVAL : -Libc.EFAULT;
        }
        Message message = new Message(address, List.of(new long[] {buffer, length}), null, flags);
        return deliver(fd, message);
    }

    private long sendmsg(int fd, long header, int flags) {
        Message message = readMessage(header, flags);
        return message == null ? -Libc.EFAULT : deliver(fd, message);
    }

    private long sendmmsg(int fd, long vector, int count, int flags) {
        int sent = 0;
        for (int i = 0; i < count; i++) {
            long entry = vector + 64L * i;
            Message message = readMessage(entry, flags);
            long r = message == null ? -Libc.EFAULT : deliver(fd, message);
            if (r < 0) {
                return sent == 0 ? r : sent;
            }
            MemorySegment length = call.arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, (int) r);
            if (!call.valid() || Libc.writeMemory(call.arena, call.pid, entry + 56, length) != 4) {
                return sent == 0 ? -Libc.EFAULT : sent;
            }
            sent++;
        }
        return sent;
    }

    /** What a send names: an address copy (or null), the caller's buffers, control data and flags. */
    private record Message(MemorySegment name, List<long[]> buffers, MemorySegment control, int flags) {
    }

    private Message readMessage(long header, int flags) {
        MemorySegment h = read(header, 56);
        if (h == null) {
            return null;
        }
        long namePointer = h.get(ValueLayout.JAVA_LONG, 0);
        int nameLength = h.get(ValueLayout.JAVA_INT, 8);
        long iovPointer = h.get(ValueLayout.JAVA_LONG, 16);
        long iovCount = h.get(ValueLayout.JAVA_LONG, 24);
        long controlPointer = h.get(ValueLayout.JAVA_LONG, 32);
        long controlLength = h.get(ValueLayout.JAVA_LONG, 40);
        if (iovCount < 0 || iovCount > RouteBroker.maxMessages() || controlLength < 0
                || controlLength > RouteBroker.maxControl()) {
            return null;
        }
        MemorySegment name = null;
        if (namePointer != 0 && nameLength != 0) {
            name = readAddress(namePointer, nameLength);
            if (name == null) {
                return null;
            }
        }
        List<long[]> buffers = new ArrayList<>();
        if (iovCount > 0) {
            MemorySegment iov = read(iovPointer, 16 * iovCount);
            if (iov == null) {
                return null;
            }
            for (int i = 0; i < iovCount; i++) {
                buffers.add(new long[] {iov.get(ValueLayout.JAVA_LONG, 16L * i), iov.get(ValueLayout.JAVA_LONG, 16L * i + 8)});
            }
        }
        MemorySegment control = null;
        if (controlPointer != 0 && controlLength > 0) {
            control = read(controlPointer, controlLength);
            if (control == null) {
                return null;
            }
        }
        return new Message(name, buffers, control, flags);
    }

    /** Sends a message the way the kernel would have, from a socket the grant allows. */
    private long deliver(int fd, Message message) {
        int sfd = socketOf(fd);
        if (sfd < 0) {
            return sfd;
        }
        List<Integer> passed = new ArrayList<>();
        try {
            if (!call.valid()) {
                return -Libc.EACCES;
            }
            Socket socket = Socket.of(call, sfd);
            if (socket.domain < 0) {
                return socket.domain; // ENOTSOCK
            }
            MemorySegment control = null;
            if (message.control() != null) {
                control = translateControl(message.control(), passed);
                if (control == null) {
                    return -Libc.EPERM;
                }
            }
            boolean stream = socket.type == Libc.SOCK_STREAM;
            long cap = RouteBroker.maxSend();
            MemorySegment data = gather(message.buffers(), stream ? cap : cap + 1);
            if (data == null) {
                return -Libc.EFAULT;
            }
            if (!stream && data.byteSize() > cap) {
                return -Libc.EMSGSIZE;
            }
            int flags = message.flags() | Libc.MSG_NOSIGNAL;
            MemorySegment name = message.name();
            if (name == null || (socket.isInet() && stream && (message.flags() & Libc.MSG_FASTOPEN) == 0)) {
                // No destination (TCP ignores one on a connected socket): the caller's own socket, as is.
                return send(sfd, null, data, control, flags & ~Libc.MSG_FASTOPEN);
            }
            if (socket.isInet()) {
                SocketAddresses.Inet destination = SocketAddresses.inet(name);
                if (destination == null) {
                    return -Libc.EINVAL;
                }
                if (!allowed(socket, destination)) {
                    return -Libc.EACCES;
                }
                if (!stream && socket.netns == broker.hostNetns()) {
                    return send(sfd, name, data, control, flags); // already a supervisor-made socket
                }
                int host = hostSocket(socket);
                if (host < 0) {
                    return host;
                }
                if (stream) { // TCP fast open: connect, then send on the new connection
                    int r = connectForCaller(host, name, (int) name.byteSize());
                    if (r < 0) {
                        Libc.close(host);
                        return r;
                    }
                }
                long sent = send(host, stream ? null : name, data, control, flags & ~Libc.MSG_FASTOPEN);
                if (sent < 0) {
                    Libc.close(host);
                    return sent;
                }
                long installed = install(host, fd, socket);
                return installed < 0 ? installed : sent;
            }
            if (socket.domain == Libc.AF_UNIX) {
                return new UnixDestinations(broker, call).connectOrSend(sfd, name, new Payload(data, control, flags));
            }
            broker.deny("a socket of family " + socket.domain, "other", "(only Internet and Unix sockets are supervised)");
            return -Libc.EACCES;
        } finally {
            for (int p : passed) {
                Libc.close(p);
            }
            Libc.close(sfd);
        }
    }

    /** What a send carries besides its address. */
    record Payload(MemorySegment data, MemorySegment control, int flags) {
    }

    private MemorySegment gather(List<long[]> buffers, long cap) {
        long total = 0;
        for (long[] b : buffers) {
            if (b[1] < 0) {
                return null;
            }
            total = Math.min(cap, total + b[1]);
        }
        MemorySegment data = call.arena.allocate(Math.max(total, 1), 8).asSlice(0, total);
        long at = 0;
        for (long[] b : buffers) {
            if (at >= total) {
                break;
            }
            long n = Math.min(b[1], total - at);
            if (n > 0 && Libc.readMemory(call.arena, call.pid, b[0], data.asSlice(at, n)) != n) {
                return null;
            }
            at += n;
        }
        return data;
    }

    /**
     * Copies control data, replacing the caller's descriptor numbers in {@code SCM_RIGHTS} by the
     * supervisor's copies (closed by the caller via {@code passed}); {@return the copy, or null when it
     * holds {@code SCM_CREDENTIALS} (the supervisor's credentials are not the caller's) or is malformed}
     */
    private MemorySegment translateControl(MemorySegment control, List<Integer> passed) {
        MemorySegment copy = call.arena.allocate(control.byteSize(), 8);
        MemorySegment.copy(control, 0, copy, 0, control.byteSize());
        long at = 0;
        while (at + 16 <= copy.byteSize()) {
            long length = copy.get(ValueLayout.JAVA_LONG, at);
            int level = copy.get(ValueLayout.JAVA_INT, at + 8);
            int type = copy.get(ValueLayout.JAVA_INT, at + 12);
            if (length < 16 || at + length > copy.byteSize()) {
                return null;
            }
            if (level == Libc.SOL_SOCKET && type == Libc.SCM_CREDENTIALS) {
                return null;
            }
            if (level == Libc.SOL_SOCKET && type == Libc.SCM_RIGHTS) {
                for (long off = at + 16; off + 4 <= at + length; off += 4) {
                    int theirs = copy.get(ValueLayout.JAVA_INT, off);
                    int ours = Libc.pidfdGetfd(call.pidfd, theirs);
                    if (ours < 0) {
                        return null;
                    }
                    passed.add(ours);
                    copy.set(ValueLayout.JAVA_INT, off, ours);
                }
            }
            at += (length + 7) & ~7L;
        }
        return copy;
    }

    private long send(int fd, MemorySegment name, MemorySegment data, MemorySegment control, int flags) {
        return send(call, fd, name, data, control, flags);
    }

    /** Sends one message from {@code fd} (the supervisor's descriptor); {@return the count or -errno} */
    static long send(Notification call, int fd, MemorySegment name, MemorySegment data, MemorySegment control,
            int flags) {
        MemorySegment iov = call.arena.allocate(16, 8);
        iov.set(ValueLayout.ADDRESS, 0, data);
        iov.set(ValueLayout.JAVA_LONG, 8, data.byteSize());
        MemorySegment message = call.arena.allocate(56, 8);
        if (name != null) {
            message.set(ValueLayout.ADDRESS, 0, name);
            message.set(ValueLayout.JAVA_INT, 8, (int) name.byteSize());
        }
        message.set(ValueLayout.ADDRESS, 16, iov);
        message.set(ValueLayout.JAVA_LONG, 24, 1L);
        if (control != null) {
            message.set(ValueLayout.ADDRESS, 32, control);
            message.set(ValueLayout.JAVA_LONG, 40, control.byteSize());
        }
        return Libc.sendmsg(fd, message, flags);
    }

    // ---- Internet sockets ----

    /** The caller's socket as the kernel describes it. */
    private record Socket(int domain, int type, int protocol, int fileFlags, long netns, long v6only) {
        /** Reads what the decision needs; a domain below 0 is the errno of a descriptor that is no socket. */
        static Socket of(Notification call, int sfd) {
            var arena = call.arena;
            int domain = (int) Libc.intOption(arena, sfd, Libc.SOL_SOCKET, Libc.SO_DOMAIN);
            if (domain < 0) {
                return new Socket(domain, -1, -1, -1, -1, -1);
            }
            int type = (int) Libc.intOption(arena, sfd, Libc.SOL_SOCKET, Libc.SO_TYPE);
            int protocol = (int) Libc.intOption(arena, sfd, Libc.SOL_SOCKET, Libc.SO_PROTOCOL);
            int flags = Libc.fcntl(sfd, Libc.F_GETFL, 0);
            // Only a datagram socket may already be one the supervisor made (a stream one is connected anew).
            long netns = type == Libc.SOCK_DGRAM ? Libc.longOption(arena, sfd, Libc.SOL_SOCKET, Libc.SO_NETNS_COOKIE) : -1;
            long v6only = domain == Libc.AF_INET6 ? Libc.intOption(arena, sfd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY) : 0;
            return new Socket(domain, type, protocol, flags, netns, v6only);
        }

        boolean isInet() {
            return domain == Libc.AF_INET || domain == Libc.AF_INET6;
        }

        String protocolName() {
            return type == Libc.SOCK_STREAM ? "tcp" : type == Libc.SOCK_DGRAM ? "udp" : "type " + type;
        }
    }

    private boolean allowed(Socket socket, SocketAddresses.Inet destination) {
        boolean tcp = socket.type == Libc.SOCK_STREAM && (socket.protocol == 0 || socket.protocol == 6);
        boolean udp = socket.type == Libc.SOCK_DGRAM && (socket.protocol == 0 || socket.protocol == 17);
        if ((tcp || udp) && broker.routes().allows(destination.address(), destination.port())) {
            return true;
        }
        String route = RouteTable.describe(destination.address(), destination.port());
        broker.deny(route, socket.protocolName(), tcp || udp
                ? "network-access = { action = \"permit\", routes = [\"" + route + "\"] }"
                : "(only TCP and UDP are supervised)");
        return false;
    }

    /** {@return a new socket like the caller's, in the host's network namespace, or the negated errno} */
    private int hostSocket(Socket socket) {
        int host = Libc.socket(socket.domain, socket.type | Libc.SOCK_CLOEXEC, socket.protocol);
        if (host >= 0 && socket.domain == Libc.AF_INET6 && socket.v6only >= 0) {
            Libc.setIntOption(call.arena, host, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, (int) socket.v6only);
        }
        return host;
    }

    /**
     * Connects the supervisor's {@code host} socket for the caller, and gives up as soon as the caller is gone
     * or the run is over: a blocking connect to a destination that never answers (a full accept queue, a
     * silent host) would hold this receiver, and a half-open connection, for TCP's two minutes after the
     * script exited. {@return 0 or the negated errno}
     */
    private int connectForCaller(int host, MemorySegment address, int length) {
        int flags = Libc.fcntl(host, Libc.F_GETFL, 0);
        if (flags < 0) {
            return flags;
        }
        Libc.fcntl(host, Libc.F_SETFL, flags | Libc.O_NONBLOCK);
        try {
            int r = Libc.connect(host, address, length);
            while (r == -Libc.EINPROGRESS) {
                int ready = Libc.poll(call.arena, host, Libc.POLLOUT, 100);
                if (ready > 0) {
                    long error = Libc.intOption(call.arena, host, Libc.SOL_SOCKET, Libc.SO_ERROR);
                    r = error < 0 ? (int) error : -(int) error;
                } else if (ready < 0 && ready != -Libc.EINTR) {
                    r = ready;
                } else if (broker.isClosed() || !call.valid()) {
                    r = -Libc.ETIMEDOUT; // nobody is left to tell
                }
            }
            return r;
        } finally {
            Libc.fcntl(host, Libc.F_SETFL, flags); // the caller's own O_NONBLOCK is given at install
        }
    }

    /**
     * Installs {@code host} at the caller's {@code fd} with the caller's {@code O_NONBLOCK} and
     * close-on-exec, and closes it here; {@return 0 or the negated errno}
     */
    private int install(int host, int fd, Socket socket) {
        try {
            if (socket.fileFlags >= 0 && (socket.fileFlags & Libc.O_NONBLOCK) != 0) {
                Libc.fcntl(host, Libc.F_SETFL, Libc.O_NONBLOCK);
            }
            int r = Notification.addFd(call.arena, call.listener, call.id, host, fd, closeOnExec(fd));
            return r < 0 ? r : 0;
        } finally {
            Libc.close(host);
        }
    }

    /** {@return whether the caller's {@code fd} is close-on-exec, from {@code /proc/<pid>/fdinfo}} */
    private boolean closeOnExec(int fd) {
        try {
            String info = Files.readString(Path.of("/proc", Integer.toString(call.pid), "fdinfo", Integer.toString(fd)),
                    StandardCharsets.US_ASCII);
            int at = info.indexOf("flags:");
            if (at < 0) {
                return true;
            }
            int end = info.indexOf('\n', at);
            long flags = Long.parseLong(info.substring(at + 6, end < 0 ? info.length() : end).trim(), 8);
            return (flags & Libc.O_CLOEXEC) != 0;
        } catch (IOException | RuntimeException e) {
            return true; // the safer default: do not leak the connection into programs the script runs
        }
    }
}
