package dev.cordon.internal.net;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
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

    // Syscalls without a glibc 2.36 wrapper; the numbers are the same on x86_64 and aarch64.
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(CALL_STATE));

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    private static final AddressLayout P = ValueLayout.ADDRESS;

    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(I, I, I, I));
    private static final MethodHandle CONNECT = handle("connect", FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle BIND = handle("bind", FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle LISTEN = handle("listen", FunctionDescriptor.of(I, I, I));
    private static final MethodHandle ACCEPT4 = handle("accept4", FunctionDescriptor.of(I, I, P, P, I));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(I, I));
    private static final MethodHandle FCNTL = handle("fcntl", FunctionDescriptor.of(I, I, I, I), 2);
    private static final MethodHandle IOCTL = handle("ioctl", FunctionDescriptor.of(I, I, L, P), 2);
    private static final MethodHandle GETSOCKOPT = handle("getsockopt", FunctionDescriptor.of(I, I, I, I, P, P));
    private static final MethodHandle SETSOCKOPT = handle("setsockopt", FunctionDescriptor.of(I, I, I, I, P, I));
    private static final MethodHandle RECVMSG = handle("recvmsg", FunctionDescriptor.of(L, I, P, I));
    private static final MethodHandle SENDMSG = handle("sendmsg", FunctionDescriptor.of(L, I, P, I));
    private static final MethodHandle WRITE = handle("write", FunctionDescriptor.of(L, I, P, L));
    private static final MethodHandle POLL = handle("poll", FunctionDescriptor.of(I, P, L, I));
    private static final MethodHandle VM_READV = handle("process_vm_readv", FunctionDescriptor.of(L, I, P, L, P, L, L));
    private static final MethodHandle VM_WRITEV = handle("process_vm_writev", FunctionDescriptor.of(L, I, P, L, P, L, L));
    private static final MethodHandle SYSCALL3 = handle("syscall", FunctionDescriptor.of(L, L, L, L, L), 1);
    private static final MethodHandle SYSCALL4 = handle("syscall", FunctionDescriptor.of(L, L, L, L, L, L), 1);
    private static final long SYS_OPENAT2 = 437;
    private static final int AT_FDCWD = -100;
    static final long O_PATH = 0x20_0000L;
    static final long O_DIRECTORY = 0x1_0000L;
    /** {@code RESOLVE_NO_MAGICLINKS}: no {@code /proc/<pid>/fd}-style jumps. */
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    /** {@code RESOLVE_IN_ROOT}: the directory is the root for {@code ..} and absolute symlinks. */
    static final long RESOLVE_IN_ROOT = 0x10;

    private Libc() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor, int firstVariadic) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), descriptor,
                CAPTURE, Linker.Option.firstVariadicArg(firstVariadic));
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), descriptor,
                CAPTURE);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static int result(int value, MemorySegment state) {
        return value == -1 ? -errno(state) : value;
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

    static int socket(int domain, int type, int protocol) {
        MemorySegment s = STATE.get();
        try {
            return result((int) SOCKET.invokeExact(s, domain, type, protocol), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int connect(int fd, MemorySegment address, int length) {
        MemorySegment s = STATE.get();
        try {
            return result((int) CONNECT.invokeExact(s, fd, address, length), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int bind(int fd, MemorySegment address, int length) {
        MemorySegment s = STATE.get();
        try {
            return result((int) BIND.invokeExact(s, fd, address, length), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int listen(int fd, int backlog) {
        MemorySegment s = STATE.get();
        try {
            return result((int) LISTEN.invokeExact(s, fd, backlog), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int accept(int fd) {
        MemorySegment s = STATE.get();
        try {
            return result((int) ACCEPT4.invokeExact(s, fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int close(int fd) {
        MemorySegment s = STATE.get();
        try {
            return result((int) CLOSE.invokeExact(s, fd), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int fcntl(int fd, int command, int argument) {
        MemorySegment s = STATE.get();
        try {
            return result((int) FCNTL.invokeExact(s, fd, command, argument), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int ioctl(int fd, long request, MemorySegment argument) {
        MemorySegment s = STATE.get();
        try {
            return result((int) IOCTL.invokeExact(s, fd, request, argument), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** {@return an integer socket option, or the negated errno} */
    static long intOption(Arena arena, int fd, int level, int name) {
        MemorySegment value = arena.allocate(I);
        MemorySegment length = arena.allocate(I);
        length.set(I, 0, 4);
        MemorySegment s = STATE.get();
        try {
            int r = result((int) GETSOCKOPT.invokeExact(s, fd, level, name, value, length), s);
            return r < 0 ? r : value.get(I, 0);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** {@return a 64-bit socket option (e.g. the network namespace cookie), or the negated errno} */
    static long longOption(Arena arena, int fd, int level, int name) {
        MemorySegment value = arena.allocate(L);
        MemorySegment length = arena.allocate(I);
        length.set(I, 0, 8);
        MemorySegment s = STATE.get();
        try {
            int r = result((int) GETSOCKOPT.invokeExact(s, fd, level, name, value, length), s);
            return r < 0 ? r : value.get(L, 0);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length) {
        MemorySegment s = STATE.get();
        try {
            return result((int) GETSOCKOPT.invokeExact(s, fd, level, name, value, length), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int setIntOption(Arena arena, int fd, int level, int name, int value) {
        MemorySegment v = arena.allocate(I);
        v.set(I, 0, value);
        MemorySegment s = STATE.get();
        try {
            return result((int) SETSOCKOPT.invokeExact(s, fd, level, name, v, 4), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long recvmsg(int fd, MemorySegment message, int flags) {
        MemorySegment s = STATE.get();
        try {
            return result((long) RECVMSG.invokeExact(s, fd, message, flags), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long sendmsg(int fd, MemorySegment message, int flags) {
        MemorySegment s = STATE.get();
        try {
            return result((long) SENDMSG.invokeExact(s, fd, message, flags), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long write(int fd, MemorySegment buffer, long length) {
        MemorySegment s = STATE.get();
        try {
            return result((long) WRITE.invokeExact(s, fd, buffer, length), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** Polls one descriptor; {@return the revents bits, 0 on timeout, or the negated errno} */
    static int poll(Arena arena, int fd, short events, int timeoutMillis) {
        MemorySegment pollfd = arena.allocate(8, 4);
        pollfd.set(I, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, events);
        pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        MemorySegment s = STATE.get();
        try {
            int r = result((int) POLL.invokeExact(s, pollfd, 1L, timeoutMillis), s);
            return r <= 0 ? r : pollfd.get(ValueLayout.JAVA_SHORT, 6);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** Copies {@code local.byteSize()} bytes at {@code remote} in process {@code pid}; {@return the count or -errno} */
    static long readMemory(Arena arena, int pid, long remote, MemorySegment local) {
        return vm(VM_READV, arena, pid, remote, local);
    }

    /** Copies {@code local} to {@code remote} in process {@code pid}; {@return the count or -errno} */
    static long writeMemory(Arena arena, int pid, long remote, MemorySegment local) {
        return vm(VM_WRITEV, arena, pid, remote, local);
    }

    private static long vm(MethodHandle handle, Arena arena, int pid, long remote, MemorySegment local) {
        if (local.byteSize() == 0) {
            return 0;
        }
        MemorySegment localIov = arena.allocate(16, 8);
        localIov.set(P, 0, local);
        localIov.set(L, 8, local.byteSize());
        MemorySegment remoteIov = arena.allocate(16, 8);
        remoteIov.set(L, 0, remote);
        remoteIov.set(L, 8, local.byteSize());
        MemorySegment s = STATE.get();
        try {
            return result((long) handle.invokeExact(s, pid, localIov, 1L, remoteIov, 1L, 0L), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int pidfdOpen(int pid) {
        return (int) syscall(SYS_PIDFD_OPEN, pid, 0, 0);
    }

    /**
     * {@return a pidfd for a thread id (a notification names the calling thread), or the negated errno}
     * Uses {@code PIDFD_THREAD} (Linux 6.9+).
     */
    static int pidfdOpenThread(int tid) {
        return (int) syscall(SYS_PIDFD_OPEN, tid, 0x80 /* PIDFD_THREAD */, 0);
    }

    static int pidfdGetfd(int pidfd, int fd) {
        return (int) syscall(SYS_PIDFD_GETFD, pidfd, fd, 0);
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
        MemorySegment s = STATE.get();
        try {
            return (int) result((long) SYSCALL4.invokeExact(s, SYS_OPENAT2, (long) (dirfd < 0 ? AT_FDCWD : dirfd),
                    name.address(), how.address(), 24L), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static long syscall(long number, long a, long b, long c) {
        MemorySegment s = STATE.get();
        try {
            return result((long) SYSCALL3.invokeExact(s, number, a, b, c), s);
        } catch (Throwable t) {
            throw fail(t);
        }
    }
}
