package dev.cordon.internal.policy.evaluation;

import dev.cordon.BackendChoice;
import dev.cordon.Grant;
import dev.cordon.LiveLogSink;
import dev.cordon.NetworkAccess;
import dev.cordon.ResourceLimits;
import dev.cordon.RunnerInvocation;
import dev.cordon.Secrets;
import dev.cordon.SourceMode;
import dev.cordon.SyscallProfile;
import dev.cordon.SyscallRules;
import dev.cordon.internal.policy.model.EnvGlobs;
import dev.cordon.internal.policy.model.PathSpec;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.Rules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The one evaluation engine behind both the built-in defaults and TOML policies: turns a
 * {@link PolicyModel} and an invocation into a grant. Pure but for what it reads through {@link GrantPaths}:
 * {@code user.home} when the invocation has no {@code HOME}, and the Cargo manifests above the package (to
 * find its workspace).
 *
 * <p>Rules: a crate table refines {@code [permissions.build]} (scalars replace, lists add up,
 * {@code env.set} merges with the crate winning); hiding beats every permit; a secret-looking variable
 * passes only when named exactly (see {@link BuildScriptEnvironment#passes}); {@code env.drop} beats
 * {@code env.pass} except for Cargo's own variables; {@code syscalls.deny} beats {@code syscalls.allow}.
 *
 * <p>A {@link RunnerInvocation.Kind#RUN run} ({@code cargo run/test/bench}) is decided from
 * {@code [permissions.run]} and its crate tables by the same rules, with the run defaults: writable only the
 * target dir's scratch folder {@code <target>/tmp} (Cargo's {@code CARGO_TARGET_TMPDIR}) and the private
 * temporary directory, never {@code OUT_DIR} or the rest of the target dir (it holds code that later runs
 * outside any sandbox: build scripts, proc macros loaded by rustc, the binaries themselves); the workspace
 * root readable (the parent of the target dir, when it holds the package) and so is the directory
 * {@code cargo run} was started in; Cargo's run variables and the
 * test harness's {@code RUST_TEST_*} passed.
 */
public final class PolicyEngine {
    private PolicyEngine() {
    }

    /**
     * Decides a grant.
     *
     * @param model the policy
     * @param policyName the grant's policy name
     * @param invocation the build-script call
     * @return the grant; never null
     */
    public static Grant decide(PolicyModel model, String policyName, RunnerInvocation invocation) {
        if (invocation.kind() == RunnerInvocation.Kind.MACRO) {
            return MacroGrants.decide(model, policyName, invocation);
        }
        boolean run = invocation.kind() == RunnerInvocation.Kind.RUN;
        PolicyModel.Section section = run ? model.run().orElse(PolicyModel.Section.EMPTY) : model.build();
        Rules defaults = section.defaults();
        Rules crate = invocation.kind() != RunnerInvocation.Kind.OTHER
                ? section.crate(invocation.crateName()).orElse(Rules.EMPTY) : Rules.EMPTY;
        Path tmp = GrantPaths.temporaryDirectory(invocation);
        Map<String, Path> vars = variables(invocation, tmp);
        Grant.Builder grant = Grant.builder(invocation.crateName(), tmp).policyName(policyName)
                .backend(BackendChoice.of(model.backend()));

        List<Path> hidden = new ArrayList<>();
        hidden.addAll(GrantPaths.secrets(invocation));
        resolveAll(defaults.hide(), vars, hidden);
        resolveAll(crate.hide(), vars, hidden);
        hidden.forEach(grant::hidden);

        List<Path> writable = new ArrayList<>();
        if (run) {
            GrantPaths.runScratch(invocation).ifPresent(p -> writable.add(p.toAbsolutePath().normalize()));
        } else {
            invocation.outDir().ifPresent(p -> writable.add(p.toAbsolutePath().normalize()));
        }
        writable.add(tmp.toAbsolutePath().normalize());
        resolveAll(defaults.write(), vars, writable);
        resolveAll(crate.write(), vars, writable);
        writable.stream().filter(p -> !underAny(p, hidden)).forEach(grant::writable);

        List<Path> readable = new ArrayList<>();
        if (run) {
            // A test reads its workspace's fixtures, and cargo run's directory.
            GrantPaths.runWorkspaceRoot(invocation).ifPresent(readable::add);
            GrantPaths.runDirectory(invocation).ifPresent(readable::add);
        } else {
            // A workspace member reads its workspace (a sibling's .proto files); a registry crate only itself.
            GrantPaths.workspaceRoot(invocation).ifPresent(readable::add);
        }
        resolveAll(defaults.read(), vars, readable);
        resolveAll(crate.read(), vars, readable);
        readable.stream().filter(p -> !underAny(p, hidden)).forEach(grant::readable);

        grant.network(crate.network().or(defaults::network).orElse(NetworkAccess.none()));
        grant.timeout(crate.timeout().or(defaults::timeout).orElse(null));
        grant.idleTimeout(crate.idleTimeout().or(defaults::idleTimeout).orElse(null));
        grant.source(crate.source().or(defaults::source).orElse(SourceMode.READ_ONLY));
        Optional<String> liveLog = crate.liveLog().or(defaults::liveLog);
        grant.liveLog(liveLog.isPresent() ? LiveLogSink.parse(liveLog.get()) : null);
        grant.syscalls(syscalls(model, defaults, crate));
        grant.environment(environment(invocation, tmp, defaults, crate, run));
        grant.limits(limits(defaults, crate));
        defaults.directivesAllow().forEach(grant::allowDirective);
        crate.directivesAllow().forEach(grant::allowDirective);
        return grant.build();
    }

    /** A crate's limit replaces the default's; a limit set nowhere keeps the built-in default. */
    private static ResourceLimits limits(Rules defaults, Rules crate) {
        ResourceLimits builtIn = ResourceLimits.defaults();
        return new ResourceLimits(limit("processes", defaults, crate, builtIn.processes()),
                limit("memory", defaults, crate, builtIn.memoryBytes()),
                limit("open-files", defaults, crate, builtIn.openFiles()),
                limit("output", defaults, crate, builtIn.outputBytes()));
    }

    private static OptionalLong limit(String key, Rules defaults, Rules crate, OptionalLong builtIn) {
        Long value = crate.limits().getOrDefault(key, defaults.limits().get(key));
        if (value == null) {
            return builtIn;
        }
        return value == Rules.UNLIMITED ? OptionalLong.empty() : OptionalLong.of(value);
    }

    private static SyscallRules syscalls(PolicyModel model, Rules defaults, Rules crate) {
        String profile = crate.syscallProfile().or(defaults::syscallProfile).orElse(SyscallProfile.DEFAULT.name());
        Set<String> deny = new LinkedHashSet<>(defaults.syscallDeny());
        deny.addAll(crate.syscallDeny());
        Set<String> allow = new LinkedHashSet<>(defaults.syscallAllow());
        allow.addAll(crate.syscallAllow());
        allow.removeAll(deny);
        return new SyscallRules(SyscallProfile.of(profile), deny, allow,
                model.layers().contains(PolicyModel.SECCOMP_LAYER));
    }

    private static Map<String, String> environment(RunnerInvocation invocation, Path tmp, Rules defaults,
            Rules crate, boolean run) {
        List<String> pass = new ArrayList<>(defaults.envPass());
        pass.addAll(crate.envPass());
        List<String> drop = new ArrayList<>(defaults.envDrop());
        drop.addAll(crate.envDrop());
        Map<String, String> env = new HashMap<>();
        for (Map.Entry<String, String> e : invocation.environment().entrySet()) {
            if (run ? passesToRun(e.getKey(), e.getValue(), pass, drop)
                    : BuildScriptEnvironment.passes(e.getKey(), e.getValue(), pass, drop)) {
                env.put(e.getKey(), e.getValue());
            }
        }
        env.put("TMPDIR", tmp.toString());
        env.putAll(defaults.envSet());
        env.putAll(crate.envSet());
        return env;
    }

    /**
     * Tells whether one variable of the runner's environment reaches a binary, test or bench: as for a build
     * script, plus Cargo's run variables ({@code CARGO_BIN_EXE_*}, always) and the test harness's own
     * ({@code RUST_TEST_*}, {@code RUST_MIN_STACK}, unless dropped).
     *
     * @param name the variable
     * @param value its value
     * @param pass the {@code env.pass} globs of {@code [permissions.run]} and the crate
     * @param drop the {@code env.drop} globs of {@code [permissions.run]} and the crate
     * @return true when it passes
     */
    static boolean passesToRun(String name, String value, List<String> pass, List<String> drop) {
        if (name.startsWith("CARGO_BIN_EXE_")) {
            return true;
        }
        if ((name.startsWith("RUST_TEST_") || name.equals("RUST_MIN_STACK")) && !Secrets.looksSecret(name)
                && !EnvGlobs.matchesAny(drop, name)) {
            return true;
        }
        return BuildScriptEnvironment.passes(name, value, pass, drop);
    }

    static Map<String, Path> variables(RunnerInvocation invocation, Path tmp) {
        Map<String, Path> vars = new HashMap<>();
        invocation.outDir().ifPresent(p -> vars.put("OUT_DIR", p.toAbsolutePath().normalize()));
        vars.put("CARGO_MANIFEST_DIR", invocation.manifestDir().toAbsolutePath().normalize());
        GrantPaths.home(invocation).ifPresent(p -> vars.put("HOME", p.toAbsolutePath().normalize()));
        vars.put("TMPDIR", tmp.toAbsolutePath().normalize());
        Optional<Path> target = invocation.targetDir().map(p -> p.toAbsolutePath().normalize());
        target.ifPresent(p -> vars.put("TARGET_DIR", p));
        target.map(Path::getParent).ifPresent(p -> vars.put("WORKSPACE_ROOT", p));
        return vars;
    }

    static void resolveAll(List<PathSpec> specs, Map<String, Path> vars, List<Path> into) {
        for (PathSpec spec : specs) {
            spec.resolve(vars).ifPresent(p -> into.add(p.toAbsolutePath().normalize()));
        }
    }

    static boolean underAny(Path path, List<Path> hidden) {
        for (Path h : hidden) {
            if (path.startsWith(h)) {
                return true;
            }
        }
        return false;
    }
}
