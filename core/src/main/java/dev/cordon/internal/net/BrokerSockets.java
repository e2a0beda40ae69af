package dev.cordon.internal.net;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where route brokers listen for {@code cordon-netjail}: sockets in one directory per process, private to the
 * runner's user (0700) and in the host's temporary directory, which no sandbox sees. It is made once per process,
 * not per run (a directory made and removed on every route-granted run cost about 0.2 ms), made again when
 * something removed it (a temp cleaner), and removed when the process exits.
 */
final class BrokerSockets {
    private static final AtomicLong COUNT = new AtomicLong();
    private static Path directory;
    private static boolean removedAtExit;

    private BrokerSockets() {
    }

    /** {@return the path for a new broker's socket; nothing is there yet} */
    static Path next() throws IOException {
        return directory().resolve("s" + COUNT.incrementAndGet());
    }

    private static synchronized Path directory() throws IOException {
        if (directory == null || !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            Path made = makePrivate(Path.of(System.getProperty("java.io.tmpdir")));
            if (!removedAtExit) {
                removedAtExit = true;
                Runtime.getRuntime().addShutdownHook(new Thread(BrokerSockets::remove, "cordon-route-sockets"));
            }
            directory = made;
        }
        return directory;
    }

    /**
     * Makes a new 0700 directory in {@code parent}. Not {@link Files#createTempDirectory}: its names come from
     * {@code SecureRandom}, whose start costs a JVM that starts per build script about 20 ms. The name needs
     * no secrecy: {@code mkdir} either makes a directory of ours or fails (a name taken, even by a link, is
     * skipped), and only its owner may enter it.
     */
    private static Path makePrivate(Path parent) throws IOException {
        var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        long seed = ProcessHandle.current().pid() << 32 ^ System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            Path candidate = parent.resolve("cordon-net-" + Long.toUnsignedString(seed + attempt * 0x9E3779B97F4A7C15L, 36));
            try {
                return Files.createDirectory(candidate, mode);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    private static synchronized void remove() {
        if (directory != null) {
            try (var left = Files.newDirectoryStream(directory)) {
                for (Path socket : left) {
                    Files.deleteIfExists(socket);
                }
                Files.deleteIfExists(directory);
            } catch (IOException e) {
                // an empty 0700 directory left in the temp dir: harmless
            }
        }
    }
}
