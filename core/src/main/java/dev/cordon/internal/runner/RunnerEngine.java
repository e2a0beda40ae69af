package dev.cordon.internal.runner;

import dev.cordon.CordonException;
import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.Policy;
import dev.cordon.PolicyViolation;
import dev.cordon.PolicyException;
import dev.cordon.RunEvent;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.SourceMode;
import dev.cordon.SyscallFilter;
import dev.cordon.NetworkAccess;
import dev.cordon.SyscallRules;
import dev.cordon.internal.audit.CommandRedaction;
import dev.cordon.internal.audit.JsonLinesAuditLog;
import dev.cordon.internal.discovery.BackendSelector;
import dev.cordon.internal.discovery.NoSandboxBackend;
import dev.cordon.internal.discovery.ProviderRegistry;
import dev.cordon.internal.exec.Outcome;
import dev.cordon.internal.exec.PlanExecutor;
import dev.cordon.internal.invocation.HostRunnerDecoder;
import dev.cordon.internal.policy.Suggestions;
import dev.cordon.internal.live.LiveLog;
import dev.cordon.spi.Capability;
import dev.cordon.spi.InvocationDecoder;
import dev.cordon.spi.PolicyProvider;
import dev.cordon.spi.RunListener;
import dev.cordon.spi.SandboxBackend;
import dev.cordon.spi.SyscallFilterCompiler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.ArrayList;
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

    /** @param settings the configuration */
    public RunnerEngine(Settings settings) {
        this.settings = settings;
        this.messages = new Messages(settings.stdout(), settings.stderr());
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
                case "check" -> check(arguments);
                case "explain" -> explain(arguments);
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
        Outcome outcome = new Outcome(exitCode, dev.cordon.internal.exec.Signals.fromExitStatus(exitCode),
                Optional.empty(), elapsed, List.of(), List.copyOf(stderrTail), List.of());
        finish(prepared, listeners(), Instant.now().minus(elapsed), outcome);
    }

    /** {@return whether a run of this engine has run listeners to tell (an audit log, say)} */
    public boolean hasListeners() {
        return !listeners().isEmpty();
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
        List<RunListener> listeners = listeners();
        Optional<PlanExecutor.LineListener> live = LiveLog.fromEnvironment(invocation, settings.environment(),
                settings.stderr()).map(l -> l);
        PlanExecutor executor = new PlanExecutor(settings.stdout(), settings.stderr());
        Instant started = Instant.now();
        timer.mark("prepare");
        Outcome outcome = executor.execute(prepared.plan(),
                new PlanExecutor.Watch(grant.timeout(), grant.idleTimeout(), live));
        timer.mark("execute");
        finish(prepared, listeners, started, outcome);
        timer.mark("report");
        timer.print();
        return outcome.exitCode();
    }

    private Prepared prepare(Arguments arguments, PhaseTimer timer) {
        RunnerInvocation invocation = decode(arguments.rest());
        timer.mark("decode");
        Policy policy = policy(arguments);
        timer.mark("policy");
        Grant grant = policy.decide(invocation);
        timer.mark("decide");
        if (grant.source() == SourceMode.COPY) {
            // The script runs against a private copy: decide again so $CARGO_MANIFEST_DIR means the copy.
            invocation = SourceCopy.make(invocation, grant);
            grant = policy.decide(invocation).toBuilder().writable(SourceCopy.location(grant)).build();
        }
        BackendSelector selector = selector();
        SandboxBackend backend = selector.select(grant);
        timer.mark("backend");
        GrantCheck.requireEnforceable(grant, backend);
        Optional<SyscallFilter> filter = syscallFilter(grant, backend);
        timer.mark("filter");
        ExecutionPlan plan = backend.plan(invocation, grant, filter);
        timer.mark("plan");
        return new Prepared(invocation, policy, policyFile(arguments), grant, selector, backend, plan);
    }

    private void finish(Prepared prepared, List<RunListener> listeners, Instant started, Outcome outcome) {
        RunnerInvocation invocation = prepared.invocation();
        Grant grant = prepared.grant();
        SandboxBackend backend = prepared.backend();
        if (!outcome.succeeded()) {
            messages.failure(invocation, grant, outcome,
                    backend.explainFailure(invocation, grant, outcome.exitCode(), String.join("\n", outcome.stderrTail()))
                            .map(text -> List.of(text.split("\n"))).orElse(List.of()));
        }
        if (!listeners.isEmpty()) {
            RunEvent event = new RunEvent(invocation.crateName(), invocation.crateVersion(), prepared.policy().name(),
                    prepared.policyFile().filter(f -> settings.policy().isEmpty()).flatMap(RunnerEngine::sha256),
                    grant.network().mode(), grant.writable().size(), grant.hidden().size(), backend.id(),
                    CommandRedaction.redact(prepared.plan().command()), started, outcome.elapsed(),
                    outcome.exitCode(), outcome.signal(), outcome.timedOut());
            for (RunListener listener : listeners) {
                try {
                    listener.finished(event);
                } catch (RuntimeException e) {
                    messages.error("run listener '" + listener.id() + "' failed (the build goes on): " + e.getMessage());
                }
            }
        }
    }

    private List<RunListener> listeners() {
        List<RunListener> added = new ArrayList<>(settings.listeners());
        JsonLinesAuditLog.fromEnvironment(settings.environment(), settings.workingDirectory()).ifPresent(added::add);
        return ProviderRegistry.of(RunListener.class, settings.discover(), settings.classLoader(), added,
                RunListener::id).all();
    }

    private static Optional<String> sha256(Path file) {
        try {
            return Optional.of(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
        } catch (IOException | NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }

    private int check(Arguments arguments) {
        Optional<Path> file = policyFile(arguments);
        if (file.isEmpty()) {
            messages.out("no policy file given (--policy FILE or CORDON_POLICY): the built-in defaults apply");
            return 0;
        }
        String text;
        try {
            text = Files.readString(file.get());
        } catch (IOException e) {
            Policy.load(file.get()); // throws the policy-not-found error with its message and exit code
            throw new PolicyException(List.of(new PolicyViolation(file, 0, 0, "", "cannot read the policy: "
                    + e.getMessage(), "check the file's permissions")), ExitCodes.POLICY_NOT_FOUND);
        }
        Policy policy = Policy.parse(text, file.get()); // always validated afresh, never from the cache
        // The backend a policy names must exist here; whether it is available is this machine's business.
        Grant sample = policy.decide(new RunnerInvocation(RunnerInvocation.Kind.BUILD_SCRIPT,
                settings.workingDirectory().resolve("build-script-build"), List.of(), settings.workingDirectory(),
                Map.of("CARGO_PKG_NAME", "cordon-check")));
        String backend = sample.backend();
        if (!backend.equals(Grant.AUTO_BACKEND) && !backend.equals(Grant.NO_SANDBOX)) {
            List<SandboxBackend> known = ProviderRegistry.of(SandboxBackend.class, settings.discover(),
                    settings.classLoader(), settings.backends(), SandboxBackend::id).all();
            boolean found = false;
            for (SandboxBackend b : known) {
                found |= b.id().equals(backend);
            }
            if (!found) {
                List<String> ids = new ArrayList<>();
                for (SandboxBackend b : known) {
                    ids.add(b.id());
                }
                int line = 0;
                String[] lines = text.split("\n", -1);
                for (int i = 0; i < lines.length && line == 0; i++) {
                    line = lines[i].strip().startsWith("backend") ? i + 1 : 0;
                }
                String near = Suggestions.didYouMean(backend, ids);
                throw new PolicyException(List.of(new PolicyViolation(file, line, 0, "sandbox.backend",
                        "unknown backend '" + backend + "': no such provider on this runner's class path",
                        (near.isEmpty() ? "" : near + " ") + "known: auto, none" + (ids.isEmpty() ? "" : ", "
                                + String.join(", ", ids)))), ExitCodes.INVALID_POLICY);
            }
        }
        for (String notice : policy.notices()) {
            messages.out("note: " + notice);
        }
        messages.out("policy OK: " + policy.name());
        return 0;
    }

    private int explain(Arguments arguments) {
        Path manifestDir = arguments.manifestDir().map(settings.workingDirectory()::resolve)
                .orElse(settings.workingDirectory()).normalize();
        String crate = arguments.crate().orElseThrow();
        Path outDir = arguments.outDir().map(settings.workingDirectory()::resolve).orElse(manifestDir
                .resolve("target/debug/build/" + crate + "-0000000000000000/out")).normalize();
        Map<String, String> env = new java.util.TreeMap<>(settings.environment());
        env.put("CARGO_PKG_NAME", crate);
        env.put("CARGO_MANIFEST_DIR", manifestDir.toString());
        env.put("OUT_DIR", outDir.toString());
        RunnerInvocation invocation = new RunnerInvocation(RunnerInvocation.Kind.BUILD_SCRIPT,
                outDir.getParent().resolve("build-script-build"), List.of(), manifestDir, env);
        Policy policy = policy(arguments);
        Grant grant = policy.decide(invocation);
        StringBuilder out = new StringBuilder();
        for (String notice : policy.notices()) {
            out.append("note: ").append(notice).append('\n');
        }
        out.append("== grant\n").append(GrantDescription.of(grant));
        try {
            SandboxBackend backend = selector().select(grant);
            GrantCheck.requireEnforceable(grant, backend);
            ExecutionPlan plan = backend.plan(invocation, grant, syscallFilter(grant, backend));
            out.append("== plan\n").append(plan.describe());
        } catch (SandboxException e) {
            out.append("== plan\nnone: ").append(e.getMessage()).append('\n');
            messages.out(out.toString().stripTrailing());
            return e.exitCode();
        }
        out.append("note: proc macros are loaded by rustc itself and cannot be wrapped by a host runner\n");
        messages.out(out.toString().stripTrailing());
        return 0;
    }

    private RunnerInvocation decode(List<String> rest) {
        ProviderRegistry<InvocationDecoder> decoders = ProviderRegistry.of(InvocationDecoder.class,
                settings.discover(), settings.classLoader(), withBuiltIn(settings.decoders()), InvocationDecoder::id);
        for (InvocationDecoder decoder : decoders.byPriority(InvocationDecoder::priority, InvocationDecoder::id)) {
            Optional<RunnerInvocation> invocation = decoder.decode(rest, settings.workingDirectory(),
                    settings.environment());
            if (invocation.isPresent()) {
                return invocation.get();
            }
        }
        throw Arguments.usage("no decoder recognised the call " + rest);
    }

    private static List<InvocationDecoder> withBuiltIn(List<InvocationDecoder> added) {
        List<InvocationDecoder> all = new ArrayList<>(added);
        all.add(new HostRunnerDecoder());
        return all;
    }

    private Policy policy(Arguments arguments) {
        if (settings.policy().isPresent()) {
            return settings.policy().get();
        }
        Optional<Path> file = policyFile(arguments);
        if (file.isPresent()) {
            return Policy.load(file.get());
        }
        ProviderRegistry<PolicyProvider> providers = ProviderRegistry.of(PolicyProvider.class, settings.discover(),
                settings.classLoader(), settings.policyProviders(), PolicyProvider::id);
        return providers.byPriority(PolicyProvider::priority, PolicyProvider::id).stream().findFirst()
                .map(PolicyProvider::policy).orElseGet(Policy::defaults);
    }

    private Optional<Path> policyFile(Arguments arguments) {
        Optional<String> named = arguments.policy().or(() -> Optional.ofNullable(
                settings.environment().get("CORDON_POLICY")).filter(s -> !s.isBlank()));
        return named.map(n -> settings.workingDirectory().resolve(n).normalize());
    }

    private BackendSelector selector() {
        List<SandboxBackend> backends = new ArrayList<>(settings.backends());
        backends.add(new NoSandboxBackend());
        ProviderRegistry<SandboxBackend> registry = ProviderRegistry.of(SandboxBackend.class, settings.discover(),
                settings.classLoader(), backends, SandboxBackend::id);
        return new BackendSelector(registry, settings.backendPin().or(BackendSelector::pinFromSystem));
    }

    private Optional<SyscallFilter> syscallFilter(Grant grant, SandboxBackend backend) {
        if (!grant.syscalls().wantsFilter() || !backend.capabilities().contains(Capability.SYSCALL_FILTER)) {
            return Optional.empty();
        }
        ProviderRegistry<SyscallFilterCompiler> compilers = ProviderRegistry.of(SyscallFilterCompiler.class,
                settings.discover(), settings.classLoader(), settings.compilers(), SyscallFilterCompiler::id);
        for (SyscallFilterCompiler compiler : compilers.all()) {
            if (compiler.availability().isAvailable()) {
                // A filter depends only on the compiler, the rules and the network: a plan daemon answering
                // many build scripts compiles each distinct filter once.
                FilterKey key = new FilterKey(compiler.id(), grant.syscalls(), grant.network().mode());
                SyscallFilter filter = FILTERS.get(key);
                if (filter == null) {
                    filter = compiler.compile(grant.syscalls(), grant.network());
                    if (FILTERS.size() < 64) {
                        FILTERS.put(key, filter);
                    }
                }
                return Optional.of(filter);
            }
        }
        if (grant.syscalls().required()) {
            throw new SandboxException("the policy requires a syscall filter ([sandbox] layers = [\"seccomp\"]) "
                    + "but no filter compiler is available: add cordon-sandbox-seccomp to the runner",
                    ExitCodes.SANDBOX_UNAVAILABLE);
        }
        return Optional.empty();
    }

    private record FilterKey(String compiler, SyscallRules rules, NetworkAccess.Mode network) {
    }

    private static final Map<FilterKey, SyscallFilter> FILTERS = new java.util.concurrent.ConcurrentHashMap<>();

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
