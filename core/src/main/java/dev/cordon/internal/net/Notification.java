package dev.cordon.internal.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One notification being answered: the caller's thread id (with a pidfd pinned to it), the call's
 * number and arguments; and the listener's operations on a notification ({@code SECCOMP_IOCTL_NOTIF_*}).
 */
final class Notification implements AutoCloseable {
    private static final long NOTIF_SEND = 0xC0182101L;
    private static final long NOTIF_ID_VALID = 0x40082102L;
    private static final long NOTIF_ADDFD = 0x40182103L;
    private static final int ADDFD_FLAG_SETFD = 1;

    final Arena arena;
    final int listener;
    final long id;
    final int pid;
    final int nr;
    final long[] args = new long[6];
    final int pidfd;

    Notification(Arena arena, int listener, long id, int pid, int nr, MemorySegment arguments) {
        this.arena = arena;
        this.listener = listener;
        this.id = id;
        this.pid = pid;
        this.nr = nr;
        for (int i = 0; i < 6; i++) {
            args[i] = arguments.get(ValueLayout.JAVA_LONG, i * 8L);
        }
        // The notification names the calling thread. Before Linux 6.9 (no PIDFD_THREAD) only a process
        // leader has a pidfd: the thread group's leader then stands in (same descriptor table).
        int fd = Libc.pidfdOpenThread(pid);
        if (fd == -Libc.EINVAL) {
            fd = Libc.pidfdOpen(threadGroup(pid));
        }
        this.pidfd = fd;
    }

    private static int threadGroup(int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("Tgid:")) {
                    return Integer.parseInt(line.substring(5).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone: the pidfd_open below fails and the call is refused
        }
        return -1;
    }

    /** {@return whether the notification is still pending, so that pid still means the caller} */
    boolean valid() {
        return idValid(arena, listener, id);
    }

    @Override
    public void close() {
        RouteBroker.closeQuietly(pidfd);
    }

    static void reply(Arena arena, int l, long id, long result) {
        MemorySegment response = arena.allocate(24, 8);
        response.set(ValueLayout.JAVA_LONG, 0, id);
        response.set(ValueLayout.JAVA_LONG, 8, result < 0 ? 0 : result);
        response.set(ValueLayout.JAVA_INT, 16, result < 0 ? (int) result : 0);
        response.set(ValueLayout.JAVA_INT, 20, 0);
        Libc.ioctl(l, NOTIF_SEND, response); // ENOENT: the caller is gone, nothing to answer
    }

    static boolean idValid(Arena arena, int l, long id) {
        MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
        value.set(ValueLayout.JAVA_LONG, 0, id);
        return Libc.ioctl(l, NOTIF_ID_VALID, value) == 0;
    }

    /** Installs {@code source} at {@code target} in the caller; {@return the number or the negated errno} */
    static int addFd(Arena arena, int l, long id, int source, int target, boolean cloexec) {
        MemorySegment add = arena.allocate(24, 8);
        add.set(ValueLayout.JAVA_LONG, 0, id);
        add.set(ValueLayout.JAVA_INT, 8, ADDFD_FLAG_SETFD);
        add.set(ValueLayout.JAVA_INT, 12, source);
        add.set(ValueLayout.JAVA_INT, 16, target);
        add.set(ValueLayout.JAVA_INT, 20, cloexec ? Libc.O_CLOEXEC : 0);
        return Libc.ioctl(l, NOTIF_ADDFD, add);
    }
}
