package dev.cordon.internal.daemon;

import dev.cordon.internal.exec.HangReport;
import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.SandboxException;
import dev.cordon.SourceMode;
import dev.cordon.internal.discovery.BackendSelector;
import dev.cordon.internal.discovery.ProviderRegistry;
import dev.cordon.spi.InvocationDecoder;
import dev.cordon.spi.PolicyProvider;
import dev.cordon.spi.RunListener;
import dev.cordon.spi.SandboxBackend;
import dev.cordon.spi.SyscallFilterCompiler;
import dev.cordon.internal.runner.RunnerEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Answers one daemon request with the same engine the JVM runner uses, configured like it but with the
 * caller's environment and working directory. Anything the thin client cannot do as the JVM runner
 * would (time limits, live output, source copies, running unsandboxed with its warning) or any error is
 * answered {@code FALLBACK}: the client then runs the JVM runner, which does it or reports it properly.
 */
final class RequestHandler {
    /**
     * Variables the daemon's own process reads (backend pin, policy cache, probe): a request whose values
     * differ from the daemon's is not planned here.
     */
    static final List<String> PROCESS_VARIABLES = List.of("PATH", "HOME", BackendSelector.PIN_ENV,
            "CORDON_CACHE_DIR", "XDG_CACHE_HOME");
    private static final int MAX_PENDING = 1024;

    private final RunnerEngine.Settings settings;
    private final ClasspathSnapshot classpath;
    private final Map<String, String> ownEnvironment;
    private final Runnable onStale;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Pending> pending = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pending> eldest) {
            return size() > MAX_PENDING;
        }
    };

    /** Hang reports taken for runs that ran out of time, until their REPORT arrives; bounded like pending. */
    private final Map<String, List<String>> hangs = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
            return size() > MAX_PENDING;
        }
    };

    private record Pending(RunnerEngine engine, ByteArrayOutputStream stderr, RunnerEngine.Prepared prepared) {
    }

    RequestHandler(RunnerEngine.Settings settings, ClasspathSnapshot classpath, Map<String, String> ownEnvironment,
            Runnable onStale) {
        this.settings = discoveredOnce(settings);
        this.classpath = classpath;
        this.ownEnvironment = ownEnvironment;
        this.onStale = onStale;
    }

    /**
     * The settings with every provider discovered now, once, as if added by hand: a ServiceLoader scan per
     * request would cost milliseconds. The class path cannot change under a running daemon (it stops
     * planning when it does), so the set found now is the set a JVM runner would find. When discovery
     * fails, requests discover for themselves, and fail, and fall back to the JVM runner that reports it.
     */
    private static RunnerEngine.Settings discoveredOnce(RunnerEngine.Settings s) {
        if (!s.discover()) {
            return s;
        }
        try {
            ClassLoader loader = s.classLoader();
            return new RunnerEngine.Settings(s.policy(),
                    ProviderRegistry.of(SandboxBackend.class, true, loader, s.backends(), SandboxBackend::id).all(),
                    ProviderRegistry.of(InvocationDecoder.class, true, loader, s.decoders(), InvocationDecoder::id)
                            .all(),
                    ProviderRegistry.of(SyscallFilterCompiler.class, true, loader, s.compilers(),
                            SyscallFilterCompiler::id).all(),
                    ProviderRegistry.of(PolicyProvider.class, true, loader, s.policyProviders(), PolicyProvider::id)
                            .all(),
                    false, loader, s.stdout(), s.stderr(), s.environment(), s.workingDirectory(), s.backendPin(),
                    ProviderRegistry.of(RunListener.class, true, loader, s.listeners(), RunListener::id).all());
        } catch (RuntimeException e) {
            return s;
        }
    }

    List<String> answer(List<String> request) {
        DaemonProtocol.Reader in = new DaemonProtocol.Reader(request);
        String kind = in.next();
        return switch (kind) {
            case "RUN" -> run(Path.of(in.next()), in.list(), in.environment());
            case "REPORT" -> report(in.next(), in.number(), Duration.ofMillis(Long.parseLong(in.next())), in.list(),
                    in.hasNext() ? limit(in.next()) : Optional.empty());
            case "HANG" -> hang(in.next(), Long.parseLong(in.next()));
            default -> throw new IllegalArgumentException("unknown daemon request '" + kind + "'");
        };
    }

    private List<String> run(Path cwd, List<String> args, Map<String, String> env) {
        Optional<Path> changed = classpath.changed();
        if (changed.isPresent()) {
            onStale.run();
            return fallback("the runner's class path changed since the daemon started (" + changed.get() + ")");
        }
        for (String name : PROCESS_VARIABLES) {
            if (!Objects.equals(env.get(name), ownEnvironment.get(name))) {
                return fallback("$" + name + " differs from the daemon's");
            }
        }
        for (String name : List.of("CORDON_LIVE_LOG", "CORDON_TRACE")) {
            if (!env.getOrDefault(name, "").isBlank()) {
                return fallback("$" + name + " is set");
            }
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        RunnerEngine engine = new RunnerEngine(new RunnerEngine.Settings(settings.policy(), settings.backends(),
                settings.decoders(), settings.compilers(), settings.policyProviders(), settings.discover(),
                settings.classLoader(), stdout, stderr, Map.copyOf(env), cwd, settings.backendPin(),
                settings.listeners()));
        RunnerEngine.Prepared prepared;
        try {
            prepared = engine.planFor(args);
        } catch (RuntimeException e) {
            return fallback("planning failed: " + e.getMessage());
        }
        Grant grant = prepared.grant();
        // The client enforces both time limits itself (for an idle limit it watches stdout too).
        if (grant.liveLog().isPresent()) {
            return fallback("the grant asks for a live log");
        }
        if (grant.source() == SourceMode.COPY) {
            return fallback("the grant runs the script on a source copy");
        }
        if (prepared.backend().id().equals(Grant.NO_SANDBOX)) {
            return fallback("the backend is \"none\"");
        }
        ExecutionPlan plan = prepared.plan();
        if (dev.cordon.internal.net.RouteBroker.isNeededBy(plan)) { // [routes, issue 13] until the unified supervisor
            return fallback("network routes need the route supervisor, which only the runner JVM holds so far");
        }
        try {
            materialise(plan);
        } catch (SandboxException e) {
            return fallback(e.getMessage());
        }
        String token = HexFormat.of().formatHex(bytes());
        synchronized (pending) {
            pending.put(token, new Pending(engine, stderr, prepared));
        }
        List<String> out = new ArrayList<>(List.of("EXEC", token, engine.hasListeners() ? "1" : "0",
                plan.workingDirectory().toString()));
        DaemonProtocol.addList(out, plan.command());
        DaemonProtocol.addEnvironment(out, plan.environment());
        out.add(Integer.toString(plan.descriptors().size()));
        for (ExecutionPlan.Descriptor d : plan.descriptors()) {
            switch (d.source()) {
                case ExecutionPlan.ReadFile r -> out.addAll(List.of("R", Integer.toString(d.number()),
                        r.file().toString()));
                case ExecutionPlan.Inherited i -> out.addAll(List.of("I", Integer.toString(d.number()),
                        Integer.toString(i.runnerNumber())));
            }
        }
        out.add(stdout.toString(StandardCharsets.UTF_8));
        out.add(take(stderr));
        out.add(Long.toString(grant.timeout().map(Duration::toMillis).orElse(0L)));
        out.add(Long.toString(grant.idleTimeout().map(Duration::toMillis).orElse(0L)));
        return out;
    }

    private byte[] bytes() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return b;
    }

    /** A client whose script ran out of time asks for the hang report before it kills the script. */
    private List<String> hang(String token, long pid) {
        synchronized (pending) {
            if (!pending.containsKey(token)) {
                return List.of("OK"); // not a run of ours: read nothing
            }
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        List<String> report = process.isPresent() ? HangReport.of(process.get()) : List.of();
        synchronized (pending) {
            hangs.put(token, report);
        }
        return List.of("OK");
    }

    private static Optional<String> limit(String name) {
        if (!name.equals("timeout") && !name.equals("idle-timeout")) {
            throw new IllegalArgumentException("unknown time limit '" + name + "'");
        }
        return Optional.of(name);
    }

    private List<String> report(String token, int status, Duration elapsed, List<String> tail,
            Optional<String> timedOut) {
        Pending run;
        List<String> hang;
        synchronized (pending) {
            run = pending.remove(token);
            hang = hangs.remove(token);
        }
        if (run == null) {
            return List.of("TEXT", status == 0 ? "" : "cordon: the build script failed with exit status " + status
                    + " (the plan daemon no longer knows this run, so no explanation)\n");
        }
        run.engine().report(run.prepared(), status, elapsed, tail, timedOut, hang == null ? List.of() : hang);
        return List.of("TEXT", take(run.stderr()));
    }

    private static String take(ByteArrayOutputStream buffer) {
        synchronized (buffer) {
            String text = buffer.toString(StandardCharsets.UTF_8);
            buffer.reset();
            return text;
        }
    }

    private static List<String> fallback(String reason) {
        return List.of("FALLBACK", reason.replace('\0', ' '));
    }

    private static void materialise(ExecutionPlan plan) {
        for (ExecutionPlan.PlanFile file : plan.files()) {
            try {
                byte[] content = file.content();
                // Unchanged files are left alone: a build script starting in parallel may be reading it.
                if (Files.isRegularFile(file.path()) && Files.size(file.path()) == content.length
                        && java.util.Arrays.equals(Files.readAllBytes(file.path()), content)) {
                    continue;
                }
                Files.createDirectories(file.path().toAbsolutePath().getParent());
                Files.write(file.path(), content);
            } catch (IOException e) {
                throw new SandboxException("cannot write " + file.path() + " for the sandbox: " + e.getMessage(),
                        ExitCodes.SANDBOX_FAILED, e);
            }
        }
    }
}
