package dev.cordon.internal.daemon;

import dev.cordon.ExitCodes;
import dev.cordon.internal.discovery.ProviderRegistry;
import dev.cordon.internal.limits.LimitEnforcement;
import dev.cordon.internal.limits.LimitPlan;
import dev.cordon.internal.runner.RunnerEngine;
import dev.cordon.spi.InvocationDecoder;
import dev.cordon.spi.PolicyProvider;
import dev.cordon.spi.RunListener;
import dev.cordon.spi.SandboxBackend;
import dev.cordon.spi.SyscallFilterCompiler;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Answers one client's call with the very engine and supervisor a runner JVM uses, configured with the
 * caller's environment, working directory and streams: the daemon writes the caller's stdout and stderr
 * itself (through {@code /proc/<client pid>/fd}), and the client only starts the plan and reports its end
 * ({@link ClientSpawner}). The only call it declines ({@code FALLBACK}, and the client runs the JVM runner)
 * is one it cannot answer as that runner would: its class path changed, or the caller's streams cannot be
 * opened.
 */
final class RequestHandler {
    private final RunnerEngine.Settings settings;
    private final ClasspathSnapshot classpath;
    private final UserPrincipal self;
    private final Runnable onStale;

    RequestHandler(RunnerEngine.Settings settings, ClasspathSnapshot classpath, UserPrincipal self,
            Runnable onStale) {
        this.settings = discoveredOnce(settings);
        this.classpath = classpath;
        this.self = self;
        this.onStale = onStale;
    }

    /**
     * The settings with every provider discovered now, once, as if added by hand: a ServiceLoader scan per
     * request would cost milliseconds. The class path cannot change under a running daemon (it stops
     * answering when it does), so the set found now is the set a JVM runner would find. When discovery
     * fails, requests discover for themselves, and fail as the JVM runner would.
     */
    private static RunnerEngine.Settings discoveredOnce(RunnerEngine.Settings s) {
        if (!s.discover()) {
            return s;
        }
        try {
            ClassLoader loader = s.classLoader();
            return s.withProviders(
                    ProviderRegistry.of(SandboxBackend.class, true, loader, s.backends(), SandboxBackend::id).all(),
                    ProviderRegistry.of(InvocationDecoder.class, true, loader, s.decoders(), InvocationDecoder::id)
                            .all(),
                    ProviderRegistry.of(SyscallFilterCompiler.class, true, loader, s.compilers(),
                            SyscallFilterCompiler::id).all(),
                    ProviderRegistry.of(PolicyProvider.class, true, loader, s.policyProviders(), PolicyProvider::id)
                            .all(),
                    ProviderRegistry.of(RunListener.class, true, loader, s.listeners(), RunListener::id).all());
        } catch (RuntimeException e) {
            return s;
        }
    }

    /**
     * Holds one conversation (see {@link DaemonProtocol}).
     *
     * @param channel the client's connection
     * @param outcome told what the daemon log should say about the conversation, once, before the client hears
     *     the last reply ({@code DONE} or {@code FALLBACK}): whoever reads the log after the client exited finds
     *     the line there
     * @throws IOException when the connection fails
     */
    void converse(SocketChannel channel, Consumer<String> outcome) throws IOException {
        Optional<List<String>> first = DaemonProtocol.receive(channel);
        if (first.isEmpty()) {
            outcome.accept("empty connection");
            return;
        }
        DaemonProtocol.Reader in = new DaemonProtocol.Reader(first.get());
        String kind = in.next();
        if (!kind.equals("RUN")) {
            throw new IllegalArgumentException("unknown daemon request '" + kind + "'");
        }
        long pid = Long.parseLong(in.next());
        Path cwd = Path.of(in.next());
        List<String> args = in.list();
        Map<String, String> env = in.environment();
        Optional<Path> changed = classpath.changed();
        if (changed.isPresent()) {
            onStale.run();
            fallback(channel, outcome, "the runner's class path changed since the daemon started (" + changed.get()
                    + ")");
            return;
        }
        Path proc = Path.of("/proc/" + pid);
        if (pid <= 1 || !Files.getOwner(proc).getName().equals(self.getName())) {
            fallback(channel, outcome, "process " + pid + " is not the caller's");
            return;
        }
        OutputStream out;
        OutputStream err;
        try {
            out = new FileOutputStream(proc.resolve("fd/1").toString(), true);
            err = new FileOutputStream(proc.resolve("fd/2").toString(), true);
        } catch (IOException e) {
            // e.g. a socket as stdout (systemd's journal), which /proc cannot open
            fallback(channel, outcome, "cannot open the caller's stdout and stderr: " + e.getMessage());
            return;
        }
        int code;
        // The run's cgroups, made now and joined by the client while the run is decided: joining a cgroup v1
        // waits for an RCU grace period, which planning then hides. The client's child is born in them.
        List<Path> reserved = reserve();
        CompletableFuture<List<Path>> joined = reserved.isEmpty() ? CompletableFuture.completedFuture(List.of())
                : CompletableFuture.supplyAsync(() -> join(reserved, pid), VIRTUAL);
        ClientSpawner spawner = new ClientSpawner(channel, pid, joined);
        try {
            try (out; err) {
                code = new RunnerEngine(settings.forRequest(out, err, env, cwd, spawner)).run(args);
            }
            outcome.accept((spawner.started() ? "EXEC, " : "") + "DONE " + code);
            DaemonProtocol.send(channel, List.of("DONE", Integer.toString(code)));
        } finally {
            if (!reserved.isEmpty()) {
                // They hold the client until it exits, right after DONE; then whatever is left in them is killed.
                joined.handle((groups, failure) -> groups).join();
                awaitClose(channel);
                LimitPlan.remove(reserved);
            }
        }
    }

    private static final java.util.concurrent.Executor VIRTUAL = task -> Thread.ofVirtual().start(task);

    private static List<Path> reserve() {
        try {
            return LimitEnforcement.probed().reserve();
        } catch (RuntimeException e) {
            return List.of(); // the run makes its own, and fails there with the reason if it cannot
        }
    }

    private static List<Path> join(List<Path> groups, long pid) {
        for (Path group : groups) {
            try (FileOutputStream procs = new FileOutputStream(group.resolve("cgroup.procs").toFile())) {
                procs.write(Long.toString(pid).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return groups;
    }

    /** Waits (at most a few seconds) for the client to close its end: it exits right after DONE. */
    private static void awaitClose(SocketChannel channel) {
        Thread reader = Thread.ofVirtual().start(() -> {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64);
            try {
                while (channel.read(buffer.clear()) >= 0) {
                    // nothing more is expected; read to the end
                }
            } catch (IOException e) {
                // closed
            }
        });
        try {
            reader.join(java.time.Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void fallback(SocketChannel channel, Consumer<String> outcome, String reason)
            throws IOException {
        outcome.accept("FALLBACK " + reason);
        DaemonProtocol.send(channel, List.of("FALLBACK", reason.replace('\0', ' ')));
    }

    /** The exit code a conversation that failed inside the daemon ends with. */
    static final int FAILED = ExitCodes.INTERNAL;
}
