package dev.cordon.internal.daemon;

import dev.cordon.CordonException;
import dev.cordon.ExitCodes;
import dev.cordon.internal.runner.RunnerEngine;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The plan daemon: a long-lived runner that answers build-script calls with plans, so the thin client
 * {@code cordon-client} can exec them without starting a JVM per build script.
 *
 * <p>It listens on a Unix-domain socket in a directory only its user can use ({@link SocketDirectory}),
 * talks only to peers of its own uid ({@code SO_PEERCRED}), holds {@code <socket>.lock} so one daemon
 * serves a socket, re-reads policies on every request (through the policy cache, which compares content),
 * refuses to plan once its class path changed, and exits after {@code CORDON_DAEMON_IDLE} seconds
 * (default 300) without requests, removing its socket.
 */
public final class PlanDaemon {
    /** Seconds without requests before the daemon exits. */
    public static final String IDLE_VARIABLE = "CORDON_DAEMON_IDLE";
    /** The runner command that starts a daemon: {@code daemon --socket PATH}. */
    public static final String COMMAND = "daemon";
    private static final long DEFAULT_IDLE_SECONDS = 300;

    private final Path socket;
    private final boolean trace;
    private RequestHandler handler;
    private final UserPrincipal self;
    private final long idleMillis;
    private final AtomicInteger active = new AtomicInteger();
    private volatile long lastActivity = System.currentTimeMillis();
    private volatile boolean stopping;
    private ServerSocketChannel server;

    private PlanDaemon(Path socket, UserPrincipal self, long idleMillis, boolean trace) {
        this.socket = socket;
        this.trace = trace;
        this.self = self;
        this.idleMillis = idleMillis;
    }

    /**
     * Serves until idle; the runner's {@code daemon --socket PATH} command.
     *
     * @param settings the runner's configuration, as for a build-script call
     * @param args the command line: {@code daemon --socket PATH}
     * @return the exit code
     */
    public static int serve(RunnerEngine.Settings settings, List<String> args) {
        if (args.size() != 3 || !args.get(1).equals("--socket")) {
            throw new CordonException("usage: cordon-runner daemon --socket PATH (bin/cordon-runner starts it itself)",
                    ExitCodes.USAGE);
        }
        Path socket = settings.workingDirectory().resolve(args.get(2)).normalize();
        SocketDirectory.secure(socket.getParent());
        long idle = idleSeconds(settings.environment().get(IDLE_VARIABLE));
        Path lockFile = socket.resolveSibling(socket.getFileName() + ".lock");
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock = waitForLock(lockChannel);
            if (lock == null) {
                log(settings.stderr(), "another daemon serves " + socket + "; exiting");
                return 0;
            }
            UserPrincipal self = Files.getOwner(Path.of("/proc/self"));
            PlanDaemon daemon = new PlanDaemon(socket, self, idle * 1000,
                    settings.environment().get("CORDON_DAEMON_TRACE") != null);
            daemon.handler = new RequestHandler(settings, ClasspathSnapshot.ofThisJvm(), self, daemon::stop);
            return daemon.listen(settings.stderr());
        } catch (IOException e) {
            throw new CordonException("the plan daemon cannot use " + socket + ": " + e.getMessage(),
                    ExitCodes.SANDBOX_UNAVAILABLE, e);
        }
    }

    private static FileLock waitForLock(FileChannel channel) throws IOException {
        // A daemon that just found its class path stale may still be leaving: give it a moment.
        for (int i = 0; i < 20; i++) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (java.nio.channels.OverlappingFileLockException heldHere) {
                // a daemon in this very JVM (tests) holds it: same as another process holding it
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    static long idleSeconds(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_IDLE_SECONDS;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            if (seconds > 0) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CordonException("$" + IDLE_VARIABLE + " must be a positive number of seconds, got '" + value
                + "'", ExitCodes.USAGE);
    }

    private int listen(OutputStream log) throws IOException {
        Files.deleteIfExists(socket); // we hold the lock: whatever is there is a dead daemon's
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        // Bind (and listen) under a private name, then rename into place: a client that sees the socket
        // file can always connect (between bind and listen it would be refused).
        Path binding = socket.resolveSibling(socket.getFileName() + "." + ProcessHandle.current().pid() + ".new");
        Files.deleteIfExists(binding);
        server.bind(UnixDomainSocketAddress.of(binding));
        Files.move(binding, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Thread.ofPlatform().daemon().name("cordon-daemon-idle").start(this::watchIdle);
        log(log, "serving " + socket + " (pid " + ProcessHandle.current().pid() + ")");
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            while (!stopping) {
                SocketChannel channel;
                try {
                    channel = server.accept();
                } catch (ClosedChannelException e) {
                    break;
                }
                active.incrementAndGet();
                lastActivity = System.currentTimeMillis();
                workers.submit(() -> handle(channel, log));
            }
        } finally {
            stop();
        }
        log(log, "stopped");
        return 0;
    }

    private void handle(SocketChannel channel, OutputStream log) {
        try (channel) {
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().getName().equals(self.getName())) {
                log(log, "refused a connection from user " + peer.user().getName());
                return;
            }
            long t0 = System.nanoTime();
            boolean[] told = {false};
            java.util.function.Consumer<String> outcome = result -> {
                told[0] = true;
                if (trace) {
                    log(log, result + " in " + (System.nanoTime() - t0) / 1000 + " us");
                }
            };
            try {
                handler.converse(channel, outcome);
            } catch (RuntimeException e) {
                String result = "daemon error: " + e;
                if (!told[0]) {
                    outcome.accept(result);
                    DaemonProtocol.send(channel, List.of("FALLBACK", result.replace('\0', ' ')));
                } else {
                    log(log, result);
                }
            }
        } catch (IOException e) {
            log(log, "connection failed: " + e.getMessage());
        } finally {
            lastActivity = System.currentTimeMillis();
            active.decrementAndGet();
        }
    }

    private void watchIdle() {
        long tick = Math.max(50, Math.min(1000, idleMillis / 4));
        while (!stopping) {
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                return;
            }
            boolean gone = !Files.exists(socket);
            if (gone || (active.get() == 0 && System.currentTimeMillis() - lastActivity >= idleMillis)) {
                stop();
            }
        }
    }

    private synchronized void stop() {
        if (stopping && server == null) {
            return;
        }
        stopping = true;
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // the socket directory went away: nothing to clean
        }
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                // closing is all we wanted
            }
            server = null;
        }
    }

    private static void log(OutputStream out, String text) {
        try {
            out.write(("cordon-daemon " + Instant.now() + ": " + text + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // the log is best effort
        }
    }
}
