package dev.cordon.internal.runner;

import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.SyscallFilter;
import dev.cordon.internal.audit.JsonLinesAuditLog;
import dev.cordon.internal.discovery.BackendSelector;
import dev.cordon.internal.discovery.NoSandboxBackend;
import dev.cordon.internal.discovery.ProviderRegistry;
import dev.cordon.internal.invocation.HostRunnerDecoder;
import dev.cordon.internal.policy.ManifestDiscovery;
import dev.cordon.internal.policy.PolicyLoader;
import dev.cordon.internal.invocation.TargetRunnerDecoder;
import dev.cordon.spi.Capability;
import dev.cordon.spi.InvocationDecoder;
import dev.cordon.spi.PolicyProvider;
import dev.cordon.spi.RunListener;
import dev.cordon.spi.SandboxBackend;
import dev.cordon.spi.SyscallFilterCompiler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a runner's settings resolve to: the decoded call, the policy in force, the backend, the syscall
 * filter and the run listeners. Shared by the run path, {@code check} and {@code explain}.
 */
final class Resolution {
    private final RunnerEngine.Settings settings;

    Resolution(RunnerEngine.Settings settings) {
        this.settings = settings;
    }

    RunnerInvocation decode(List<String> rest) {
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
        all.add(new TargetRunnerDecoder()); // cargo run/test/bench through [target] runner
        all.add(new HostRunnerDecoder());
        return all;
    }

    /**
     * The policy of a call and the file it was read from.
     *
     * @param policy the policy in force (refined, when the settings refine it)
     * @param file the policy file named by option or environment, or the Cargo manifest it was found in; empty
     *     for a policy given in code, a provider's, the fallback and the defaults
     */
    record Source(Policy policy, Optional<Path> file) {
    }

    /**
     * Resolves the policy of a build script or run, in this order: the policy given in code, {@code --policy
     * FILE}, {@code $CORDON_POLICY}, the workspace's {@code Cargo.toml} ({@code [workspace.metadata.cordon]} or
     * {@code [package.metadata.cordon]}; see {@link ManifestDiscovery#rootManifest}), a policy jar, the
     * fallback given in code, the defaults. The first present wins; the rest are not read.
     */
    Source source(Arguments arguments, RunnerInvocation invocation) {
        return source(arguments, () -> ManifestDiscovery.rootManifest(invocation));
    }

    /** As {@link #source(Arguments, RunnerInvocation)}, the manifest found above the working directory. */
    Source source(Arguments arguments) {
        return source(arguments, () -> ManifestDiscovery.rootManifestAbove(settings.workingDirectory()));
    }

    Policy policy(Arguments arguments) {
        return source(arguments).policy();
    }

    private Source source(Arguments arguments, java.util.function.Supplier<Optional<Path>> manifest) {
        Source resolved = resolvedPolicy(arguments, manifest);
        return settings.refinement().map(change -> new Source(new RefinedPolicy(resolved.policy(), change),
                resolved.file())).orElse(resolved);
    }

    private Source resolvedPolicy(Arguments arguments, java.util.function.Supplier<Optional<Path>> manifest) {
        if (settings.policy().isPresent()) {
            return new Source(settings.policy().get(), Optional.empty());
        }
        Optional<Path> file = policyFile(arguments);
        if (file.isPresent()) {
            return new Source(PolicyLoader.load(file.get(), settings.environment()), file);
        }
        Optional<Path> found = manifest.get();
        if (found.isPresent()) {
            Optional<Policy> fromManifest = PolicyLoader.fromManifest(found.get(), settings.environment());
            if (fromManifest.isPresent()) {
                return new Source(fromManifest.get(), found);
            }
        }
        ProviderRegistry<PolicyProvider> providers = ProviderRegistry.of(PolicyProvider.class, settings.discover(),
                settings.classLoader(), settings.policyProviders(), PolicyProvider::id);
        return new Source(providers.byPriority(PolicyProvider::priority, PolicyProvider::id).stream().findFirst()
                .map(PolicyProvider::policy).or(settings::fallbackPolicy).orElseGet(PolicyLoader::defaults),
                Optional.empty());
    }

    /**
     * {@return the Cargo manifest above the working directory that holds a policy, when there is one} For
     * {@code check} and {@code explain}: a named policy file shadows it, and they say so.
     */
    Optional<Path> manifestWithPolicy() {
        return ManifestDiscovery.rootManifestAbove(settings.workingDirectory())
                .filter(m -> PolicyLoader.fromManifest(m, settings.environment()).isPresent());
    }

    /**
     * {@return a note when a named policy file shadows a policy in the workspace's {@code Cargo.toml}, for
     * {@code check} and {@code explain}} Builds say nothing (they do not read the manifest then).
     */
    Optional<String> shadowNote(Arguments arguments) {
        Optional<Path> named = policyFile(arguments);
        if (named.isEmpty() || settings.policy().isPresent()) {
            return Optional.empty();
        }
        Optional<Path> manifest;
        try {
            manifest = manifestWithPolicy();
        } catch (dev.cordon.PolicyException e) {
            manifest = ManifestDiscovery.rootManifestAbove(settings.workingDirectory()); // invalid, but present
        }
        return manifest.filter(m -> !m.equals(named.get())).map(m -> m + " also holds a policy ([workspace.metadata"
                + ".cordon] or [package.metadata.cordon]); it is not used: " + (arguments.policy().isPresent()
                ? "--policy" : "CORDON_POLICY") + " names " + named.get() + ", which comes first");
    }

    Optional<Path> policyFile(Arguments arguments) {
        Optional<String> named = arguments.policy().or(() -> Optional.ofNullable(
                settings.environment().get("CORDON_POLICY")).filter(s -> !s.isBlank()));
        return named.map(n -> settings.workingDirectory().resolve(n).normalize());
    }

    BackendSelector selector() {
        List<SandboxBackend> backends = new ArrayList<>(settings.backends());
        backends.add(new NoSandboxBackend());
        ProviderRegistry<SandboxBackend> registry = ProviderRegistry.of(SandboxBackend.class, settings.discover(),
                settings.classLoader(), backends, SandboxBackend::id);
        return new BackendSelector(registry, settings.backendPin().or(() -> BackendSelector.pinFrom(settings.environment())),
                settings.environment());
    }

    Optional<SyscallFilter> syscallFilter(Grant grant, SandboxBackend backend) {
        if (!grant.syscalls().wantsFilter() || !backend.capabilities().contains(Capability.SYSCALL_FILTER)) {
            return Optional.empty();
        }
        ProviderRegistry<SyscallFilterCompiler> compilers = ProviderRegistry.of(SyscallFilterCompiler.class,
                settings.discover(), settings.classLoader(), settings.compilers(), SyscallFilterCompiler::id);
        for (SyscallFilterCompiler compiler : compilers.all()) {
            if (compiler.availability().isAvailable()) {
                // A filter depends only on the compiler, the rules and the network: a plan daemon answering
                // many build scripts compiles each distinct filter once.
                // A plain string key: a record's equals and hashCode bootstrap through invokedynamic, which
                // costs a fresh JVM (the cold path) more than the memo saves.
                String key = compiler.id() + '|' + grant.syscalls().profile().name() + '|' + grant.syscalls().deny()
                        + '|' + grant.syscalls().allow() + '|' + grant.syscalls().required() + '|' + grant.network().mode();
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

    /**
     * The route-notification filter for a plan that runs under {@code cordon-netjail} (issue 13).
     *
     * @throws SandboxException with {@link ExitCodes#UNENFORCEABLE} when no compiler can make one
     */
    SyscallFilter routeFilter(Grant grant) {
        ProviderRegistry<SyscallFilterCompiler> compilers = ProviderRegistry.of(SyscallFilterCompiler.class,
                settings.discover(), settings.classLoader(), settings.compilers(), SyscallFilterCompiler::id);
        for (SyscallFilterCompiler compiler : compilers.all()) {
            if (compiler.availability().isAvailable()) {
                Optional<SyscallFilter> filter = compiler.routeFilter();
                if (filter.isPresent()) {
                    return filter.get();
                }
            }
        }
        throw new SandboxException("crate '" + grant.crateName() + "' has network routes " + grant.network().routes()
                + ", which need the route filter of a syscall filter compiler, and none is available: add "
                + "cordon-sandbox-seccomp to the runner", ExitCodes.UNENFORCEABLE);
    }

    private static final Map<String, SyscallFilter> FILTERS = new java.util.concurrent.ConcurrentHashMap<>();

    List<RunListener> listeners() {
        List<RunListener> added = new ArrayList<>(settings.listeners());
        JsonLinesAuditLog.fromEnvironment(settings.environment(), settings.workingDirectory()).ifPresent(added::add);
        return ProviderRegistry.of(RunListener.class, settings.discover(), settings.classLoader(), added,
                RunListener::id).all();
    }
}
