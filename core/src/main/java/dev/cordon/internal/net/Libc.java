package dev.cordon.internal.net;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library calls the route supervisor needs, through {@link java.lang.foreign}. Every method
 * returns what the C function returns, except that a failure ({@code -1}) comes back as the negated
 * {@code errno}, so callers test {@code result < 0} and answer the script with {@code -result}.
 *
 * <p>Needs {@code --enable-native-access} for the module using it (the class path's
 * {@code ALL-UNNAMED}); without it the JVM prints a warning on first use.
 */
@SuppressWarnings("restricted") // the whole point of this class: native calls, enabled by --enable-native-access
final class Libc {
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_TYPE = 3;
    static final int SO_ERROR = 4;
    static final int SO_PASSCRED = 16;
    static final int SO_PEERCRED = 17;
    static final int SO_PROTOCOL = 38;
    static final int SO_DOMAIN = 39;
    static final int SO_NETNS_COOKIE = 71;
    static final int SCM_RIGHTS = 1;
    static final int SCM_CREDENTIALS = 2;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_FASTOPEN = 0x2000_0000;
    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EINVAL = 22;
    static final int EMSGSIZE = 90;
    static final int ENOTSOCK = 88;
    static final int EAFNOSUPPORT = 97;
    static final int ENOBUFS = 105;
    static final int ETIMEDOUT = 110;
    static final int EINPROGRESS = 115;

    private static final boolean AARCH64 = System.getProperty("os.arch", "").equals("aarch64");
    private static final long SYS_SOCKET = AARCH64 ? 198 : 41;
    private static final long SYS_CONNECT = AARCH64 ? 203 : 42;
    private static final long SYS_BIND = AARCH64 ? 200 : 49;
    private static final long SYS_LISTEN = AARCH64 ? 201 : 50;
    private static final long SYS_ACCEPT4 = AARCH64 ? 242 : 288;
    private static final long SYS_CLOSE = AARCH64 ? 57 : 3;
    private static final long SYS_FCNTL = AARCH64 ? 25 : 72;
    private static final long SYS_IOCTL = AARCH64 ? 29 : 16;
    private static final long SYS_GETSOCKOPT = AARCH64 ? 209 : 55;
    private static final long SYS_SETSOCKOPT = AARCH64 ? 208 : 54;
    private static final long SYS_RECVMSG = AARCH64 ? 212 : 47;
    private static final long SYS_SENDMSG = AARCH64 ? 211 : 46;
    private static final long SYS_WRITE = AARCH64 ? 64 : 1;
    private static final long SYS_PPOLL = AARCH64 ? 73 : 271;
    private static final long SYS_VM_READV = AARCH64 ? 270 : 310;
    private static final long SYS_VM_WRITEV = AARCH64 ? 271 : 311;
    // The same numbers on x86_64 and aarch64.
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_OPENAT2 = 437;
    private static final long SYS_PIDFD_GETFD = 438;
    private static final long AT_FDCWD = -100;
    static final long O_PATH = 0x20_0000L;
    static final long O_DIRECTORY = 0x1_0000L;
    /** {@code RESOLVE_NO_MAGICLINKS}: no {@code /proc/<pid>/fd}-style jumps. */
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    /** {@code RESOLVE_IN_ROOT}: the directory is the root for {@code ..} and absolute symlinks. */
    static final long RESOLVE_IN_ROOT = 0x10;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(CALL_STATE));
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final AddressLayout P = ValueLayout.ADDRESS;

    /**
     * Every call goes through the C library's {@code syscall(2)} with one shape: a fresh JVM pays for
     * each distinct downcall shape it links (tens of milliseconds each without the optimising JIT), so
     * one shape keeps the cost of a route-granted build script down (docs/performance.md).
     */
    private static final MethodHandle SYSCALL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("syscall").orElseThrow(() -> new UnsatisfiedLinkError("syscall")),
            FunctionDescriptor.of(L, L, L, L, L, L, L, L), Linker.Option.captureCallState("errno"),
            Linker.Option.firstVariadicArg(1));

    private Libc() {
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static long result(long value, MemorySegment state) {
        return value == -1 ? -errno(state) : value;
    }

    private static RuntimeException fail(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private static long call(long nr, long a, long b, long c, long d, long e, long f) {
        MemorySegment s = STATE.get();
        try {
            return result((long) SYSCALL.invokeExact(s, nr, a, b, c, d, e, f), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static long call(long nr, long a, long b, long c) {
        return call(nr, a, b, c, 0, 0, 0);
    }

    static int socket(int domain, int type, int protocol) {
        return (int) call(SYS_SOCKET, domain, type, protocol);
    }

    static int connect(int fd, MemorySegment address, int length) {
        return (int) call(SYS_CONNECT, fd, address.address(), length);
    }

    static int bind(int fd, MemorySegment address, int length) {
        return (int) call(SYS_BIND, fd, address.address(), length);
    }

    static int listen(int fd, int backlog) {
        return (int) call(SYS_LISTEN, fd, backlog, 0);
    }

    static int accept(int fd) {
        return (int) call(SYS_ACCEPT4, fd, 0, 0, SOCK_CLOEXEC, 0, 0);
    }

    static int close(int fd) {
        return (int) call(SYS_CLOSE, fd, 0, 0);
    }

    static int fcntl(int fd, int command, int argument) {
        return (int) call(SYS_FCNTL, fd, command, argument);
    }

    static int ioctl(int fd, long request, MemorySegment argument) {
        return (int) call(SYS_IOCTL, fd, request, argument.address());
    }

    /** {@return an integer socket option, or the negated errno} */
    static long intOption(Arena arena, int fd, int level, int name) {
        MemorySegment value = arena.allocate(I);
        MemorySegment length = arena.allocate(I);
        length.set(I, 0, 4);
        long r = call(SYS_GETSOCKOPT, fd, level, name, value.address(), length.address(), 0);
        return r < 0 ? r : value.get(I, 0);
    }

    /** {@return a 64-bit socket option (e.g. the network namespace cookie), or the negated errno} */
    static long longOption(Arena arena, int fd, int level, int name) {
        MemorySegment value = arena.allocate(L);
        MemorySegment length = arena.allocate(I);
        length.set(I, 0, 8);
        long r = call(SYS_GETSOCKOPT, fd, level, name, value.address(), length.address(), 0);
        return r < 0 ? r : value.get(L, 0);
    }

    static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length) {
        return (int) call(SYS_GETSOCKOPT, fd, level, name, value.address(), length.address(), 0);
    }

    static int setIntOption(Arena arena, int fd, int level, int name, int value) {
        MemorySegment v = arena.allocate(I);
        v.set(I, 0, value);
        return (int) call(SYS_SETSOCKOPT, fd, level, name, v.address(), 4, 0);
    }

    static long recvmsg(int fd, MemorySegment message, int flags) {
        return call(SYS_RECVMSG, fd, message.address(), flags);
    }

    static long sendmsg(int fd, MemorySegment message, int flags) {
        return call(SYS_SENDMSG, fd, message.address(), flags);
    }

    static long write(int fd, MemorySegment buffer, long length) {
        return call(SYS_WRITE, fd, buffer.address(), length);
    }

    /** Polls one descriptor; {@return the revents bits, 0 on timeout, or the negated errno} */
    static int poll(Arena arena, int fd, short events, int timeoutMillis) {
        MemorySegment pollfd = arena.allocate(8, 4);
        pollfd.set(I, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, events);
        pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        MemorySegment timeout = arena.allocate(16, 8);
        timeout.set(L, 0, timeoutMillis / 1000);
        timeout.set(L, 8, (timeoutMillis % 1000) * 1_000_000L);
        int r = (int) call(SYS_PPOLL, pollfd.address(), 1, timeout.address(), 0, 8, 0);
        return r <= 0 ? r : pollfd.get(ValueLayout.JAVA_SHORT, 6);
    }

    /** Copies {@code local.byteSize()} bytes at {@code remote} in process {@code pid}; {@return the count or -errno} */
    static long readMemory(Arena arena, int pid, long remote, MemorySegment local) {
        return vm(SYS_VM_READV, arena, pid, remote, local);
    }

    /** Copies {@code local} to {@code remote} in process {@code pid}; {@return the count or -errno} */
    static long writeMemory(Arena arena, int pid, long remote, MemorySegment local) {
        return vm(SYS_VM_WRITEV, arena, pid, remote, local);
    }

    private static long vm(long nr, Arena arena, int pid, long remote, MemorySegment local) {
        if (local.byteSize() == 0) {
            return 0;
        }
        MemorySegment localIov = arena.allocate(16, 8);
        localIov.set(P, 0, local);
        localIov.set(L, 8, local.byteSize());
        MemorySegment remoteIov = arena.allocate(16, 8);
        remoteIov.set(L, 0, remote);
        remoteIov.set(L, 8, local.byteSize());
        return call(nr, pid, localIov.address(), 1, remoteIov.address(), 1, 0);
    }

    static int pidfdOpen(int pid) {
        return (int) call(SYS_PIDFD_OPEN, pid, 0, 0);
    }

    /**
     * {@return a pidfd for a thread id (a notification names the calling thread), or the negated errno}
     * Uses {@code PIDFD_THREAD} (Linux 6.9+).
     */
    static int pidfdOpenThread(int tid) {
        return (int) call(SYS_PIDFD_OPEN, tid, 0x80 /* PIDFD_THREAD */, 0);
    }

    static int pidfdGetfd(int pidfd, int fd) {
        return (int) call(SYS_PIDFD_GETFD, pidfd, fd, 0);
    }

    /**
     * {@code openat2(dirfd or AT_FDCWD when negative, path, {flags | O_CLOEXEC, 0, resolve})}.
     *
     * @return the descriptor or the negated errno
     */
    static int openat2(Arena arena, int dirfd, String path, long flags, long resolve) {
        MemorySegment how = arena.allocate(24, 8);
        how.set(L, 0, flags | O_CLOEXEC);
        how.set(L, 8, 0L);
        how.set(L, 16, resolve);
        MemorySegment name = arena.allocateFrom(path);
        return (int) call(SYS_OPENAT2, dirfd < 0 ? AT_FDCWD : dirfd, name.address(), how.address(), 24, 0, 0);
    }
}
