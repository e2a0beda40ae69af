package dev.cordon.internal.runner;

import dev.cordon.CordonException;
import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.Policy;
import dev.cordon.RunEvent;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.SourceMode;
import dev.cordon.SyscallFilter;
import dev.cordon.internal.audit.CommandRedaction;
import dev.cordon.internal.discovery.BackendSelector;
import dev.cordon.internal.exec.Outcome;
import dev.cordon.internal.exec.PlanExecutor;
import dev.cordon.internal.live.LiveLog;
import dev.cordon.internal.policy.Sha256;
import dev.cordon.spi.InvocationDecoder;
import dev.cordon.spi.PolicyProvider;
import dev.cordon.spi.RunListener;
import dev.cordon.spi.SandboxBackend;
import dev.cordon.spi.SyscallFilterCompiler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Carries out the runner's commands: run a build script, check a policy, explain a decision. */
public final class RunnerEngine {

    /**
     * Everything a {@link dev.cordon.Runner.Builder} configured.
     *
     * @param policy a policy fixed in code, if any
     * @param backends backends added by hand
     * @param decoders decoders added by hand
     * @param compilers syscall filter compilers added by hand
     * @param policyProviders policy providers added by hand
     * @param discover whether to use ServiceLoader
     * @param classLoader where to discover
     * @param stdout Cargo's protocol stream
     * @param stderr the message stream
     * @param environment the runner's environment
     * @param workingDirectory the runner's working directory
     * @param backendPin a backend pinned by code
     * @param listeners run listeners added by hand
     */
    public record Settings(Optional<Policy> policy, List<SandboxBackend> backends, List<InvocationDecoder> decoders,
            List<SyscallFilterCompiler> compilers, List<PolicyProvider> policyProviders, boolean discover,
            ClassLoader classLoader, OutputStream stdout, OutputStream stderr, Map<String, String> environment,
            Path workingDirectory, Optional<String> backendPin, List<RunListener> listeners) {
    }

    private final Settings settings;
    private final Messages messages;
    private final Resolution resolution;

    /** @param settings the configuration */
    public RunnerEngine(Settings settings) {
        this.settings = settings;
        this.messages = new Messages(settings.stdout(), settings.stderr());
        this.resolution = new Resolution(settings);
    }

    /**
     * @param args the command line
     * @return the exit code
     */
    public int run(List<String> args) {
        try {
            Arguments arguments = Arguments.parse(args);
            return switch (arguments.command()) {
                case "help" -> {
                    messages.out(Arguments.USAGE);
                    yield 0;
                }
                case "version" -> {
                    messages.out("cordon-runner " + version());
                    yield 0;
                }
                case "check" -> CheckCommand.run(settings, resolution, messages, arguments);
                case "explain" -> ExplainCommand.run(settings, resolution, messages, arguments);
                case "daemon" -> dev.cordon.internal.daemon.PlanDaemon.serve(settings, arguments.socket().orElseThrow(
                        () -> Arguments.usage("daemon needs --socket PATH")));
                default -> runBuildScript(arguments);
            };
        } catch (CordonException e) {
            messages.error(e.getMessage());
            return e.exitCode();
        } catch (RuntimeException e) {
            messages.error("internal error: " + e + " (please report this with the command line)");
            return ExitCodes.INTERNAL;
        }
    }

    /**
     * What a build-script call resolves to before anything runs: the decision, the backend and its plan.
     *
     * @param invocation the decoded call (the source copy's, when the grant asks for one)
     * @param policy the policy that decided
     * @param policyFile the policy file named by option or environment, if any
     * @param grant the grant
     * @param selector how the backend was chosen
     * @param backend the chosen backend
     * @param plan the backend's plan
     */
    public record Prepared(RunnerInvocation invocation, Policy policy, Optional<Path> policyFile, Grant grant,
            BackendSelector selector, SandboxBackend backend, ExecutionPlan plan) {
    }

    /**
     * Resolves a build-script call (the runner's arguments, read against this engine's environment and
     * working directory) to its plan without running it, and creates the grant's private temporary
     * directory; used by the plan daemon.
     *
     * @param args the runner's command line; must be a {@code run} call
     * @return the plan and what it was made from
     * @throws CordonException when the call, the policy or the backend is unusable (the message is the
     *     cold path's)
     */
    public Prepared planFor(List<String> args) {
        Arguments arguments = Arguments.parse(args);
        if (!arguments.command().equals("run")) {
            throw Arguments.usage("'" + arguments.command() + "' is not a build-script call");
        }
        // The daemon's own stderr is its log file (see PlanDaemon), where CORDON_DAEMON_TRACE output belongs.
        PhaseTimer timer = new PhaseTimer(System.getenv("CORDON_DAEMON_TRACE") != null, System.err);
        Prepared prepared = prepare(arguments, timer);
        prepare(prepared.grant());
        timer.mark("tmpdir");
        timer.print();
        return prepared;
    }

    /**
     * Reports a finished run of a {@link #planFor planned} call exactly as the runner does after running
     * it itself: a failure message with the backend's explanation on this engine's stderr, and the run
     * listeners' events.
     *
     * @param prepared what {@link #planFor} returned
     * @param exitCode the exit status (128 + signal number for a signal death)
     * @param elapsed how long the script ran
     * @param stderrTail the script's last lines of stderr
     */
    public void report(Prepared prepared, int exitCode, java.time.Duration elapsed, List<String> stderrTail) {
        report(prepared, exitCode, elapsed, stderrTail, Optional.empty(), List.of());
    }

    /**
     * Reports a finished run of a {@link #planFor planned} call that may have run out of time.
     *
     * @param prepared what {@link #planFor} returned
     * @param exitCode the exit status (128 + signal number for a signal death)
     * @param elapsed how long the script ran
     * @param stderrTail the script's last lines of stderr
     * @param timedOut the limit that killed it ({@code "timeout"} or {@code "idle-timeout"}), if one did
     * @param hangReport what the hung tree was doing just before it was killed
     */
    public void report(Prepared prepared, int exitCode, java.time.Duration elapsed, List<String> stderrTail,
            Optional<String> timedOut, List<String> hangReport) {
        Outcome outcome = timedOut.isPresent()
                ? new Outcome(ExitCodes.TIMEOUT, Optional.of("SIGKILL"), timedOut, elapsed, List.of(),
                        List.copyOf(stderrTail), List.copyOf(hangReport))
                : new Outcome(exitCode, dev.cordon.internal.exec.Signals.fromExitStatus(exitCode), Optional.empty(),
                        elapsed, List.of(), List.copyOf(stderrTail), List.of());
        finish(prepared, resolution.listeners(), Instant.now().minus(elapsed), outcome, Optional.empty());
    }

    /** {@return whether a run of this engine has run listeners to tell (an audit log, say)} */
    public boolean hasListeners() {
        return !resolution.listeners().isEmpty();
    }

    private int runBuildScript(Arguments arguments) {
        PhaseTimer timer = new PhaseTimer("1".equals(settings.environment().get("CORDON_TRACE")), settings.stderr());
        Prepared prepared = prepare(arguments, timer);
        RunnerInvocation invocation = prepared.invocation();
        Grant grant = prepared.grant();
        if (prepared.backend().id().equals(Grant.NO_SANDBOX)) {
            messages.cargoWarning("cordon: the build script of " + invocation.crateName()
                    + " ran WITHOUT a sandbox (backend \"none\" " + prepared.selector().why(grant) + ")");
        }
        prepare(grant);
        List<RunListener> listeners = resolution.listeners();
        Optional<PlanExecutor.LineListener> live = LiveLog.forRun(invocation, grant.liveLog(),
                settings.environment(), settings.stderr()).map(l -> l);
        PlanExecutor executor = new PlanExecutor(settings.stdout(), settings.stderr());
        Instant started = Instant.now();
        timer.mark("prepare");
        // [routes, issue 13] cold path only, until the unified supervisor holds the broker: start it, run the
        // wrapped plan, and add its refusals to the failure explanation.
        dev.cordon.internal.net.RouteBroker broker = dev.cordon.internal.net.RouteBroker.isNeededBy(prepared.plan())
                ? dev.cordon.internal.net.RouteBroker.start(invocation, grant, resolution.routeFilter(grant)) : null;
        Outcome outcome;
        try {
            outcome = executor.execute(broker == null ? prepared.plan() : broker.wrap(prepared.plan()),
                    new PlanExecutor.Watch(grant.timeout(), grant.idleTimeout(), live));
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        Optional<String> refused = broker == null ? Optional.empty() : broker.explanation();
        // [/routes]
        timer.mark("execute");
        finish(prepared, listeners, started, outcome, refused);
        timer.mark("report");
        timer.print();
        return outcome.exitCode();
    }

    private Prepared prepare(Arguments arguments, PhaseTimer timer) {
        RunnerInvocation invocation = resolution.decode(arguments.rest());
        timer.mark("decode");
        Policy policy = resolution.policy(arguments);
        timer.mark("policy");
        Grant grant = policy.decide(invocation);
        timer.mark("decide");
        if (grant.source() == SourceMode.COPY) {
            // The script runs against a private copy: decide again so $CARGO_MANIFEST_DIR means the copy.
            invocation = SourceCopy.make(invocation, grant);
            grant = policy.decide(invocation).toBuilder().writable(SourceCopy.location(grant)).build();
        }
        BackendSelector selector = resolution.selector();
        SandboxBackend backend = selector.select(grant);
        timer.mark("backend");
        GrantCheck.requireEnforceable(grant, backend);
        Optional<SyscallFilter> filter = resolution.syscallFilter(grant, backend);
        timer.mark("filter");
        ExecutionPlan plan = backend.plan(invocation, grant, filter);
        timer.mark("plan");
        return new Prepared(invocation, policy, resolution.policyFile(arguments), grant, selector, backend, plan);
    }

    private void finish(Prepared prepared, List<RunListener> listeners, Instant started, Outcome outcome,
            Optional<String> refusedRoutes) {
        RunnerInvocation invocation = prepared.invocation();
        Grant grant = prepared.grant();
        SandboxBackend backend = prepared.backend();
        Optional<String> denial = outcome.succeeded() ? Optional.empty()
                : backend.explainFailure(invocation, grant, outcome.exitCode(), String.join("\n", outcome.stderrTail()));
        if (refusedRoutes.isPresent()) { // refused connects: in the failure explanation and the audit record
            denial = Optional.of(denial.map(d -> refusedRoutes.get() + "\n" + d).orElse(refusedRoutes.get()));
            if (outcome.succeeded()) {
                messages.error(refusedRoutes.get());
            }
        }
        if (!outcome.succeeded()) {
            messages.failure(invocation, grant, outcome, denial.map(text -> List.of(text.split("\n"))).orElse(List.of()));
        }
        if (!listeners.isEmpty()) {
            RunEvent event = new RunEvent(invocation.crateName(), invocation.crateVersion(), prepared.policy().name(),
                    prepared.policyFile().filter(f -> settings.policy().isEmpty()).flatMap(RunnerEngine::sha256),
                    grant.network().mode(), grant.writable().size(), grant.hidden().size(), backend.id(),
                    CommandRedaction.redact(prepared.plan().command()), started, outcome.elapsed(),
                    outcome.exitCode(), outcome.signal(), outcome.timedOut(), denial);
            for (RunListener listener : listeners) {
                try {
                    listener.finished(event);
                } catch (RuntimeException e) {
                    messages.error("run listener '" + listener.id() + "' failed (the build goes on): " + e.getMessage());
                }
            }
        }
    }

    private static Optional<String> sha256(Path file) {
        try {
            return Optional.of(Sha256.hex(dev.cordon.internal.cache.CacheFiles.read(file)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void prepare(Grant grant) {
        try {
            Files.createDirectories(grant.temporaryDirectory());
        } catch (IOException e) {
            throw new SandboxException("cannot create the private temporary directory " + grant.temporaryDirectory()
                    + ": " + e.getMessage(), ExitCodes.SANDBOX_FAILED, e);
        }
    }

    private static String version() {
        String v = RunnerEngine.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
