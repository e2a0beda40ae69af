package dev.cordon.internal.runner;

import dev.cordon.BackendChoice;
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
import dev.cordon.internal.invocation.RustcMacroDecoder;
import dev.cordon.internal.directives.DirectiveFirewall;
import dev.cordon.internal.exec.DirectiveCheck;
import dev.cordon.internal.limits.LimitEnforcement;
import dev.cordon.internal.limits.LimitMessages;
import dev.cordon.internal.limits.LimitPlan;
import dev.cordon.internal.exec.Spawner;
import dev.cordon.internal.exec.Supervisor;
import dev.cordon.internal.live.LiveLog;
import dev.cordon.internal.net.RouteBroker;
import dev.cordon.internal.policy.evaluation.DeclaredNeeds;
import dev.cordon.internal.policy.cache.Sha256;
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
import java.util.function.BiFunction;

/** Carries out the runner's commands: run a build script, check a policy, explain a decision. */
public final class RunnerEngine {

    /**
     * Everything a {@link dev.cordon.Runner.Builder} configured. Built there, once; the plan daemon derives
     * one per request with {@link #forRequest} and one with its providers found once with
     * {@link #withProviders}.
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
     * @param environment the runner's environment: the only one Cordon reads
     * @param workingDirectory the runner's working directory
     * @param backendPin a backend pinned by code
     * @param listeners run listeners added by hand
     * @param spawner starts plans (this JVM's children, or the thin client's)
     * @param fallbackPolicy the policy when no file is named and no provider offers one (else the defaults)
     * @param refinement changes every grant the resolved policy decides, per call
     */
    public record Settings(Optional<Policy> policy, List<SandboxBackend> backends, List<InvocationDecoder> decoders,
            List<SyscallFilterCompiler> compilers, List<PolicyProvider> policyProviders, boolean discover,
            ClassLoader classLoader, OutputStream stdout, OutputStream stderr, Map<String, String> environment,
            Path workingDirectory, Optional<String> backendPin, List<RunListener> listeners, Spawner spawner,
            Optional<Policy> fallbackPolicy, Optional<BiFunction<RunnerInvocation, Grant, Grant>> refinement) {

        /**
         * {@return these settings for one call made elsewhere: its streams, environment, directory and spawner}
         *
         * @param out the caller's stdout
         * @param err the caller's stderr
         * @param env the caller's environment
         * @param cwd the caller's working directory
         * @param start starts the caller's plan
         */
        public Settings forRequest(OutputStream out, OutputStream err, Map<String, String> env, Path cwd,
                Spawner start) {
            return new Settings(policy, backends, decoders, compilers, policyProviders, discover, classLoader, out,
                    err, Map.copyOf(env), cwd, backendPin, listeners, start, fallbackPolicy, refinement);
        }

        /**
         * {@return these settings with every provider list given, and discovery off}
         *
         * @param allBackends the backends
         * @param allDecoders the decoders
         * @param allCompilers the syscall filter compilers
         * @param allPolicyProviders the policy providers
         * @param allListeners the run listeners
         */
        public Settings withProviders(List<SandboxBackend> allBackends, List<InvocationDecoder> allDecoders,
                List<SyscallFilterCompiler> allCompilers, List<PolicyProvider> allPolicyProviders,
                List<RunListener> allListeners) {
            return new Settings(policy, allBackends, allDecoders, allCompilers, allPolicyProviders, false,
                    classLoader, stdout, stderr, environment, workingDirectory, backendPin, allListeners, spawner,
                    fallbackPolicy, refinement);
        }
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
                case "daemon" -> throw Arguments.usage("'daemon' is started through Runner.run, not here");
                case "explain" -> ExplainCommand.run(this, settings, resolution, messages, arguments);
                case "summary" -> summary(arguments);
                case "suggest" -> SuggestCommand.run(settings, messages, arguments);
                case "macro" -> execute(RustcMacroDecoder.decode(arguments.rest(), arguments.procMacros(),
                        settings.workingDirectory(), settings.environment()), arguments);
                default -> execute(resolution.decode(arguments.rest()), arguments);
            };
        } catch (CordonException e) {
            messages.error(e.getMessage());
            return e.exitCode();
        } catch (RuntimeException e) {
            messages.error("internal error: " + e + " (please report this with the command line)");
            return ExitCodes.INTERNAL;
        }
    }

    /** Runs one decoded call (a build script, a run, or rustc loading proc macros) in its sandbox. */
    private int execute(RunnerInvocation decoded, Arguments arguments) {
        PhaseTimer timer = new PhaseTimer("1".equals(settings.environment().get("CORDON_TRACE")), settings.stderr());
        // rustc loading proc macros writes into folders of its own, never into the ones every crate shares.
        Optional<StagedOutputs> staged = decoded.kind() == RunnerInvocation.Kind.MACRO
                ? StagedOutputs.of(decoded) : Optional.empty();
        if (staged.isPresent()) {
            staged.get().prepare();
            decoded = staged.get().invocation();
        }
        Prepared prepared = prepare(decoded, arguments, false, timer);
        RunnerInvocation invocation = prepared.invocation();
        Grant grant = prepared.grant();
        // A policy edit makes Cargo run the script again; when this crate's grant is the same, the last output stands.
        Optional<PolicyRerun> rerun = PolicyRerun.of(prepared, decoded, settings.policy().isPresent());
        if (rerun.isPresent() && rerun.get().replay(settings.stdout(), DirectiveFirewall.forRun(grant, invocation))) {
            messages.verbatim("cordon: crate '" + invocation.crateName() + "': the policy changed but not its grant: "
                    + "the build script's previous output stands, the script did not run again");
            return 0;
        }
        rerun.ifPresent(PolicyRerun::forget);
        if (prepared.backend().id().equals(BackendChoice.NONE.id())) {
            messages.noSandbox(invocation, "backend \"none\" " + prepared.selector().why(grant));
        }
        createTemporaryDirectory(grant);
        List<RunListener> listeners = resolution.listeners();
        Optional<Supervisor.LineListener> live = LiveLog.forRun(invocation, grant.liveLog(),
                settings.environment(), settings.stderr()).map(l -> l);
        Supervisor supervisor = new Supervisor(settings.spawner(),
                rerun.map(r -> r.tracking(settings.stdout())).orElse(settings.stdout()), settings.stderr());
        // rustc's stdout is not the build-script protocol: Cargo acts on no line of it.
        DirectiveCheck check = invocation.kind() == RunnerInvocation.Kind.MACRO ? DirectiveCheck.NONE
                : directives(DirectiveFirewall.forRun(grant, invocation));
        Supervisor.Watch watch = new Supervisor.Watch(grant.timeout(), grant.idleTimeout(), live,
                rerun.map(r -> r.observing(check)).orElse(check),
                outputLimit(grant, invocation), staged.map(StagedOutputs::notices));
        Instant started = Instant.now();
        timer.mark("prepare");
        Outcome outcome;
        // Network routes: the supervisor of the sandbox's connects, for as long as the run lasts.
        RouteBroker broker = RouteBroker.isNeededBy(prepared.plan())
                ? RouteBroker.start(invocation, grant, resolution.routeFilter(grant)) : null;
        ExecutionPlan plan = broker == null ? prepared.plan() : broker.wrap(prepared.plan(), settings.spawner().connectsUnixSockets());
        try {
        if (prepared.backend().id().equals(BackendChoice.NONE.id())) {
            outcome = supervisor.execute(plan, watch);
        } else {
            // Process and memory limits: a per-run cgroup the sandbox joins, or rlimits inside it.
            try (LimitPlan limits = LimitEnforcement.probed().plan(grant.limits(), settings.spawner().joinedCgroups())) {
                outcome = supervisor.execute(limits.apply(plan, invocation.command()), limits.childSetup(), watch);
                Optional<String> exceeded = limits.exceeded(invocation.crateName());
                if (exceeded.isPresent() && outcome.refusal().isEmpty()) {
                    outcome = new Outcome(ExitCodes.LIMIT_EXCEEDED, outcome.signal(), outcome.timedOut(),
                            outcome.elapsed(), outcome.stdoutTail(), outcome.stderrTail(), outcome.hangReport(),
                            exceeded);
                }
            }
        }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        if (staged.isPresent()) {
            if (outcome.succeeded() && outcome.refusal().isEmpty()) {
                List<String> left = staged.get().publish();
                if (!left.isEmpty()) {
                    messages.warning(invocation, staged.get().foreignFiles(left));
                }
            } else {
                staged.get().discard();
            }
        }
        Optional<String> refusedRoutes = broker == null ? Optional.empty() : broker.explanation();
        timer.mark("execute");
        if (outcome.succeeded() && outcome.refusal().isEmpty()) {
            rerun.ifPresent(r -> r.succeeded(settings.stdout()));
        }
        finish(prepared, listeners, started, outcome, refusedRoutes);
        timer.mark("report");
        timer.print();
        return outcome.exitCode();
    }

    private static Optional<Supervisor.OutputLimit> outputLimit(Grant grant, RunnerInvocation invocation) {
        if (grant.limits().outputBytes().isEmpty()) {
            return Optional.empty();
        }
        long bytes = grant.limits().outputBytes().getAsLong();
        return Optional.of(new Supervisor.OutputLimit(bytes, new OutputExceeded(invocation.crateName(), bytes)));
    }

    /** The output limit's message, made only when a script exceeds it. A class, not a lambda: no class spun per run. */
    private record OutputExceeded(String crate, long bytes) implements java.util.function.Supplier<String> {
        @Override
        public String get() {
            return LimitMessages.outputExceeded(crate, bytes);
        }
    }

    /** The directive firewall as the supervisor's check of every stdout line. */
    private static DirectiveCheck directives(DirectiveFirewall firewall) {
        return new DirectiveCheck() {
            @Override
            public Optional<String> refusal(byte[] line, int length) {
                return firewall.check(line, 0, length).refusal();
            }

            @Override
            public Optional<String> refusalOfLongLine(byte[] start, int length) {
                return firewall.checkLongLine(start, 0, length).refusal();
            }

            @Override
            public Optional<String> refusalAtEnd() {
                return firewall.finish().refusal();
            }
        };
    }

    /**
     * What a call resolves to before anything runs: the decision, the backend and its plan; the same for a
     * run and for {@code explain}.
     *
     * @param invocation the decoded call (the source copy's, when the grant asks for one)
     * @param policy the policy that decided
     * @param policyFile the policy file named by option or environment, or the Cargo manifest holding the
     *     policy, if any
     * @param grant the grant
     * @param selector how the backend was chosen
     * @param backend the chosen backend
     * @param plan the backend's plan
     */
    record Prepared(RunnerInvocation invocation, Policy policy, Optional<Path> policyFile, Grant grant,
            BackendSelector selector, SandboxBackend backend, ExecutionPlan plan) {
    }

    /**
     * Decides and plans one call. With {@code dryRun} nothing is copied or created ({@code explain}); the
     * plan is the one a run would get.
     */
    Prepared prepare(RunnerInvocation decoded, Arguments arguments, boolean dryRun, PhaseTimer timer) {
        RunnerInvocation invocation = decoded;
        timer.mark("decode");
        Resolution.Source source = resolution.source(arguments, invocation);
        Policy policy = source.policy();
        timer.mark("policy");
        Grant grant = policy.decide(invocation);
        timer.mark("decide");
        if (grant.source() == SourceMode.COPY) {
            // The script runs against a private copy: decide again so $CARGO_MANIFEST_DIR means the copy.
            invocation = dryRun ? SourceCopy.relocate(invocation, grant) : SourceCopy.make(invocation, grant);
            grant = policy.decide(invocation).toBuilder().writable(SourceCopy.location(grant)).build();
        }
        GrantCheck.requirePolicyUnwritable(grant, source.file(), keyPrefix(policy),
                invocation.kind() == RunnerInvocation.Kind.RUN ? "run" : "build");
        if (!dryRun) {
            WritablePaths.createMissing(grant);
        }
        BackendSelector selector = resolution.selector();
        SandboxBackend backend = selector.select(grant);
        timer.mark("backend");
        GrantCheck.requireEnforceable(grant, backend);
        Optional<SyscallFilter> filter = resolution.syscallFilter(grant, backend);
        timer.mark("filter");
        ExecutionPlan plan = backend.plan(invocation, grant, filter);
        timer.mark("plan");
        return new Prepared(invocation, policy, source.file(), grant, selector, backend, plan);
    }

    private void finish(Prepared prepared, List<RunListener> listeners, Instant started, Outcome outcome,
            Optional<String> refusedRoutes) {
        RunnerInvocation invocation = prepared.invocation();
        Grant grant = prepared.grant();
        SandboxBackend backend = prepared.backend();
        Optional<String> denial = outcome.refusal().isPresent() ? outcome.refusal()
                : outcome.succeeded() ? Optional.empty()
                : backend.explainFailure(invocation, grant, outcome.exitCode(), String.join("\n",
                        invocation.kind() == RunnerInvocation.Kind.MACRO
                                ? RustcDiagnostics.readable(outcome.stderrTail()) : outcome.stderrTail()));
        if (refusedRoutes.isPresent()) { // refused connects: in the failure explanation and the audit record
            denial = Optional.of(denial.map(d -> refusedRoutes.get() + "\n" + d).orElse(refusedRoutes.get()));
            if (outcome.succeeded()) { // (a failure shows them in its explanation)
                for (String line : inPolicy(prepared, refusedRoutes.get()).split("\n")) {
                    messages.warning(invocation, "cordon: " + line);
                }
            }
        }
        // What the package declares in its own Cargo.toml: never granted, shown next to the grant.
        Optional<DeclaredNeeds> declared = outcome.succeeded() && listeners.isEmpty() ? Optional.empty()
                : DeclaredNeeds.of(invocation);
        if (!outcome.succeeded() && declared.isPresent()) {
            List<String> unmet = declared.get().unmet(invocation, grant, DeclaredNeeds.tableOf("", invocation));
            if (!unmet.isEmpty()) {
                String text = "cordon: " + String.join("\ncordon: ", unmet) + "\n(a package's declaration is never"
                        + " granted by Cordon: grant it in your policy only if you trust the package)";
                denial = Optional.of(denial.map(d -> d + "\n" + text).orElse(text));
            }
        }
        denial = denial.map(d -> inPolicy(prepared, d));
        if (outcome.refusal().isPresent()) {
            messages.verbatim(inPolicy(prepared, outcome.refusal().get()));
        } else if (!outcome.succeeded()) {
            messages.failure(invocation, grant, outcome, denial.map(text -> List.of(text.split("\n"))).orElse(List.of()));
        }
        boolean macro = invocation.kind() == RunnerInvocation.Kind.MACRO;
        if (!macro) {
            BuildTally.record(invocation.targetDir(), invocation.crateName(), backend.id(), denial.isPresent());
        }
        if (!listeners.isEmpty()) {
            String subject = macro ? invocation.crateName() + " (rustc loading proc macros "
                    + String.join(", ", invocation.procMacros()) + ")" : invocation.crateName();
            RunEvent event = RunEvent.builder(subject, prepared.policy().name(), backend.id(), started)
                    .crateVersion(invocation.crateVersion())
                    .policySha256(prepared.policyFile().filter(f -> settings.policy().isEmpty())
                            .flatMap(RunnerEngine::sha256))
                    .network(grant.network().mode()).writableCount(grant.writable().size())
                    .hiddenCount(grant.hidden().size()).command(CommandRedaction.redact(prepared.plan().command()))
                    .duration(outcome.elapsed()).exitCode(outcome.exitCode()).signal(outcome.signal())
                    .timedOut(outcome.timedOut()).denial(denial)
                    .declaredNeeds(declared.filter(d -> d.problem().isEmpty()).map(DeclaredNeeds::toml)).build();
            for (RunListener listener : listeners) {
                try {
                    listener.finished(event);
                } catch (RuntimeException e) {
                    messages.error("run listener '" + listener.id() + "' failed (the build goes on): " + e.getMessage());
                }
            }
        }
    }

    /**
     * Suggested policy lines name tables as a policy file writes them ({@code [permissions.build.foo]}); for a
     * policy kept in a Cargo manifest they must say {@code [workspace.metadata.cordon.permissions.build.foo]}
     * to be pasted. The explainers (one per backend, in other modules) know only the grant, so the table is
     * rewritten here, the one place every explanation passes.
     */
    private static String inPolicy(Prepared prepared, String text) {
        String prefix = keyPrefix(prepared.policy());
        return prefix.isEmpty() ? text : text.replace("[permissions.", "[" + prefix + "permissions.");
    }

    /** {@return where the policy's tables start in its file: {@code workspace.metadata.cordon.}, or empty} */
    private static String keyPrefix(Policy resolved) {
        Policy policy = resolved instanceof RefinedPolicy refined ? refined.base() : resolved;
        return policy instanceof dev.cordon.internal.policy.evaluation.TomlPolicy toml ? toml.keyPrefix() : "";
    }

    private int summary(Arguments arguments) {
        Path target = arguments.outDir().map(settings.workingDirectory()::resolve)
                .or(() -> CargoPackages.targetDir(settings.workingDirectory(), settings.environment()))
                .orElse(settings.workingDirectory().resolve("target"));
        try {
            messages.verbatim(BuildTally.summarise(target, dev.cordon.internal.audit.JsonLinesAuditLog
                    .fromEnvironment(settings.environment(), settings.workingDirectory())
                    .map(dev.cordon.internal.audit.JsonLinesAuditLog::file)));
            return 0;
        } catch (IOException e) {
            throw new SandboxException("cannot read the tally in " + target + ": " + e.getMessage(),
                    ExitCodes.SANDBOX_FAILED, e);
        }
    }

    private static Optional<String> sha256(Path file) {
        try {
            return Optional.of(Sha256.hex(dev.cordon.internal.cache.CacheFiles.read(file)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void createTemporaryDirectory(Grant grant) {
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
