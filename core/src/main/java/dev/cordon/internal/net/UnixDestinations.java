package dev.cordon.internal.net;

import dev.cordon.internal.policy.reading.KeyPath;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Unix-socket destinations of one supervised call. Abstract and unnamed addresses belong to the
 * sandbox's own network namespace and are used as asked; a path is opened inside the caller's root
 * ({@code openat2} with {@code RESOLVE_IN_ROOT}, so neither {@code ..} nor a symlink leaves it), and is
 * connectable only when what it names lies under a writable directory of the grant. The caller's own
 * socket is then connected to that very file (through {@code /proc/self/fd}), never to the path again.
 */
final class UnixDestinations {
    private final RouteBroker broker;
    private final Notification call;

    UnixDestinations(RouteBroker broker, Notification call) {
        this.broker = broker;
        this.call = call;
    }


    /**
     * Connects (payload null) or sends on the caller's Unix socket: abstract and unnamed addresses as
     * asked, a path only when it resolves, inside the caller's root, to a socket under a writable
     * directory of the grant.
     */
    long connectOrSend(int sfd, MemorySegment address, Supervised.Payload payload) {
        if (SocketAddresses.family(address) != Libc.AF_UNIX) {
            return -Libc.EINVAL;
        }
        String path = SocketAddresses.unixPath(address);
        if (path == null || path.isEmpty()) {
            return payload == null ? Libc.connect(sfd, address, (int) address.byteSize())
                    : Supervised.send(call, sfd, address, payload.data(), payload.control(), payload.flags());
        }
        int opened = openInCallerRoot(path);
        if (opened < 0) {
            return opened == -Libc.EACCES ? refuseUnix(path) : opened;
        }
        try {
            String seen = Files.readSymbolicLink(Path.of("/proc/self/fd/" + opened)).toString();
            if (!call.valid() || !underWritable(seen)) {
                return refuseUnix(path);
            }
            MemorySegment through = SocketAddresses.unix(call.arena, "/proc/self/fd/" + opened);
            return payload == null ? Libc.connect(sfd, through, (int) through.byteSize())
                    : Supervised.send(call, sfd, through, payload.data(), payload.control(), payload.flags());
        } catch (IOException e) {
            return refuseUnix(path);
        } finally {
            Libc.close(opened);
        }
    }

    private long refuseUnix(String path) {
        // The path is the script's: quoted and escaped, so that it can neither end the suggested line early (and
        // grant more than the socket) nor write control characters to the terminal.
        String quoted = KeyPath.quote(path);
        broker.deny("unix:" + quoted.substring(1, quoted.length() - 1), "unix", "filesystem-access = { action = \"permit\", paths = [" + quoted + "] }"
                + " (a Unix socket is connectable where the script may write)");
        return -Libc.EACCES;
    }

    /**
     * Opens {@code path} with {@code O_PATH} as the caller would find it: from its root (absolute) or its
     * working directory (relative), never leaving that directory through {@code ..} or a symlink.
     */
    private int openInCallerRoot(String path) {
        boolean absolute = path.startsWith("/");
        String base = "/proc/" + call.pid + (absolute ? "/root" : "/cwd");
        int dir = Libc.openat2(call.arena, -1, base, Libc.O_PATH | Libc.O_DIRECTORY, 0);
        if (dir < 0) {
            return -Libc.EACCES;
        }
        try {
            if (!call.valid()) {
                return -Libc.EACCES;
            }
            String relative = absolute ? path.substring(1) : path;
            if (relative.isEmpty()) {
                return -Libc.EACCES;
            }
            return Libc.openat2(call.arena, dir, relative, Libc.O_PATH,
                    Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS);
        } finally {
            Libc.close(dir);
        }
    }

    private boolean underWritable(String seen) {
        Path target = Path.of(seen).normalize();
        if (!target.isAbsolute()) {
            return false;
        }
        for (Path dir : broker.unixAllowed()) {
            if (target.startsWith(dir)) {
                return true;
            }
        }
        return false;
    }
}
