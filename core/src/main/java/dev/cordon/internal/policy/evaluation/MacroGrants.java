package dev.cordon.internal.policy.evaluation;

import dev.cordon.BackendChoice;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.ResourceLimits;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.Secrets;
import dev.cordon.SourceMode;
import dev.cordon.SyscallProfile;
import dev.cordon.SyscallRules;
import dev.cordon.internal.invocation.RustcCall;
import dev.cordon.internal.policy.model.PathSpec;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.Rules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides the grant of a rustc call that loads proc macros ({@link RunnerInvocation.Kind#MACRO}, issue 15).
 *
 * <p>Composition: each loaded macro's own rules are {@code [permissions.macro]} refined by its package's
 * {@code [permissions.macro.<package>]} table, by the rules of a build-script crate table (scalars replace,
 * lists add up). The macros run in one rustc process, so the call gets the <em>union</em> of their rules:
 * the paths any macro may read or write, the widest network any macro has (all beats routes, routes add up,
 * none otherwise), the longest timeout (none beats any), the largest limit of each kind ("unlimited" beats
 * any), the variables any passes, and {@code env.set} of every macro (for a name set by two, the macro whose
 * package sorts last wins). What restricts adds up too: every path any table hides is hidden (hiding beats
 * every permit, whoever granted it), every variable any table drops is dropped, every syscall any table
 * denies is denied. The syscall profile is the macros' when they agree, else {@code [permissions.macro]}'s.
 *
 * <p>On top of that, rustc's own needs, which the user never writes: its output directory, output file,
 * incremental directory and {@code --emit} paths and the private temporary directory writable; the sources
 * (the package, its workspace), its dependencies' libraries ({@code --extern}, {@code -L}), the build
 * script's {@code OUT_DIR} and the toolchain readable; Cargo's {@code CARGO_*} variables and those the
 * package's build script set with {@code cargo::rustc-env} passed on top of a build script's defaults.
 * Credentials stay hidden.
 */
public final class MacroGrants {
    private MacroGrants() {
    }

    /**
     * Decides the grant of a rustc call that loads proc macros.
     *
     * @param model the policy
     * @param policyName the grant's policy name
     * @param invocation the rustc call ({@link RunnerInvocation.Kind#MACRO})
     * @return the grant; never null
     */
    public static Grant decide(PolicyModel model, String policyName, RunnerInvocation invocation) {
        PolicyModel.Section section = model.macro().orElse(PolicyModel.Section.EMPTY);
        Rules rules = compose(section, invocation.procMacros());
        RustcCall rustc = RustcCall.parse(invocation.arguments(), invocation.workingDirectory());
        Path tmp = temporaryDirectory(invocation, rustc);
        Map<String, Path> vars = PolicyEngine.variables(invocation, tmp);
        Grant.Builder grant = Grant.builder(subject(invocation), tmp).policyName(policyName)
                .backend(BackendChoice.of(model.backend()));

        List<Path> hidden = new ArrayList<>(GrantPaths.secrets(invocation));
        PolicyEngine.resolveAll(rules.hide(), vars, hidden);
        hidden.forEach(grant::hidden);

        List<Path> writable = new ArrayList<>();
        rustc.outDir().ifPresent(writable::add);
        rustc.output().map(Path::getParent).ifPresent(writable::add);
        rustc.incremental().ifPresent(writable::add);
        for (Path emitted : rustc.emitPaths()) {
            if (emitted.getParent() != null) {
                writable.add(emitted.getParent());
            }
        }
        writable.add(tmp.toAbsolutePath().normalize());
        PolicyEngine.resolveAll(rules.write(), vars, writable);
        writable.stream().distinct().filter(p -> !PolicyEngine.underAny(p, hidden)).forEach(grant::writable);

        List<Path> readable = new ArrayList<>();
        readable.add(invocation.workingDirectory().toAbsolutePath().normalize());
        readable.add(invocation.manifestDir().toAbsolutePath().normalize());
        GrantPaths.workspaceRoot(invocation).ifPresent(readable::add);
        invocation.outDir().ifPresent(p -> readable.add(p.toAbsolutePath().normalize()));
        Path bin = invocation.program().toAbsolutePath().getParent();
        if (bin != null && bin.getParent() != null) {
            readable.add(bin.getParent()); // the toolchain: rustc's sysroot is the folder above its bin
        }
        for (Path lib : rustc.externs()) {
            if (lib.getParent() != null) {
                readable.add(lib.getParent());
            }
        }
        readable.addAll(rustc.searchDirs());
        PolicyEngine.resolveAll(rules.read(), vars, readable);
        readable.stream().distinct().filter(p -> !PolicyEngine.underAny(p, hidden)).forEach(grant::readable);

        grant.network(rules.network().orElse(NetworkAccess.none()));
        grant.timeout(rules.timeout().orElse(null));
        grant.idleTimeout(rules.idleTimeout().orElse(null));
        grant.source(SourceMode.READ_ONLY);
        String profile = rules.syscallProfile().orElse(SyscallProfile.DEFAULT.name());
        grant.syscalls(new SyscallRules(SyscallProfile.of(profile), new LinkedHashSet<>(rules.syscallDeny()),
                allowed(rules), model.layers().contains(PolicyModel.SECCOMP_LAYER)));
        grant.environment(environment(invocation, tmp, rules));
        grant.limits(limits(rules));
        return grant.build();
    }

    /**
     * Composes the rules of a call that loads some proc macros: the union of each macro's own rules
     * ({@code [permissions.macro]} refined by its table), as the class comment says. Pure.
     *
     * @param section {@code [permissions.macro]} and its package tables
     * @param macros the proc-macro packages the call loads
     * @return the composed rules; {@code [permissions.macro]} alone when {@code macros} is empty
     */
    public static Rules compose(PolicyModel.Section section, List<String> macros) {
        List<String> sorted = new ArrayList<>(new java.util.TreeSet<>(macros));
        List<Rules> each = new ArrayList<>();
        for (String name : sorted) {
            each.add(refine(section.defaults(), section.crate(name).orElse(Rules.EMPTY)));
        }
        if (each.isEmpty()) {
            each.add(section.defaults());
        }
        Optional<NetworkAccess> network = Optional.empty();
        Optional<Duration> timeout = each.getFirst().timeout();
        Optional<Duration> idle = each.getFirst().idleTimeout();
        Set<String> profiles = new LinkedHashSet<>();
        List<PathSpec> write = new ArrayList<>();
        List<PathSpec> read = new ArrayList<>();
        List<PathSpec> hide = new ArrayList<>();
        List<String> pass = new ArrayList<>();
        List<String> drop = new ArrayList<>();
        Map<String, String> set = new TreeMap<>();
        List<String> deny = new ArrayList<>();
        List<String> allow = new ArrayList<>();
        Map<String, Long> limits = new TreeMap<>();
        Set<String> unsetLimits = new java.util.HashSet<>();
        for (Rules r : each) {
            network = widest(network, r.network());
            timeout = longest(timeout, r.timeout());
            idle = longest(idle, r.idleTimeout());
            profiles.add(r.syscallProfile().orElse(SyscallProfile.DEFAULT.name()));
            addNew(write, r.write());
            addNew(read, r.read());
            addNew(hide, r.hide());
            addNew(pass, r.envPass());
            addNew(drop, r.envDrop());
            set.putAll(r.envSet());
            addNew(deny, r.syscallDeny());
            addNew(allow, r.syscallAllow());
            for (String key : Rules.LIMIT_KEYS) {
                Long value = r.limits().get(key);
                if (value == null) {
                    unsetLimits.add(key);
                } else {
                    limits.merge(key, value, MacroGrants::larger);
                }
            }
        }
        for (String key : unsetLimits) { // the built-in value counts for a macro that sets none
            ResourceLimits builtIn = ResourceLimits.defaults();
            java.util.OptionalLong value = switch (key) {
                case "processes" -> builtIn.processes();
                case "memory" -> builtIn.memoryBytes();
                case "open-files" -> builtIn.openFiles();
                default -> builtIn.outputBytes();
            };
            if (limits.containsKey(key)) {
                limits.merge(key, value.isPresent() ? value.getAsLong() : Rules.UNLIMITED, MacroGrants::larger);
            }
        }
        Optional<String> profile = profiles.size() == 1 ? Optional.of(profiles.iterator().next())
                : section.defaults().syscallProfile();
        return new Rules(network, write, read, hide, pass, drop, set, timeout, idle, Optional.empty(),
                Optional.empty(), profile, deny, allow, List.of(), limits);
    }

    /** A package table over the section's defaults: scalars replace, lists add up, {@code env.set} merges. */
    static Rules refine(Rules defaults, Rules table) {
        List<PathSpec> write = new ArrayList<>(defaults.write());
        addNew(write, table.write());
        List<PathSpec> read = new ArrayList<>(defaults.read());
        addNew(read, table.read());
        List<PathSpec> hide = new ArrayList<>(defaults.hide());
        addNew(hide, table.hide());
        List<String> pass = new ArrayList<>(defaults.envPass());
        addNew(pass, table.envPass());
        List<String> drop = new ArrayList<>(defaults.envDrop());
        addNew(drop, table.envDrop());
        Map<String, String> set = new TreeMap<>(defaults.envSet());
        set.putAll(table.envSet());
        List<String> deny = new ArrayList<>(defaults.syscallDeny());
        addNew(deny, table.syscallDeny());
        List<String> allow = new ArrayList<>(defaults.syscallAllow());
        addNew(allow, table.syscallAllow());
        Map<String, Long> limits = new TreeMap<>(defaults.limits());
        limits.putAll(table.limits());
        return new Rules(table.network().or(defaults::network), write, read, hide, pass, drop, set,
                table.timeout().or(defaults::timeout), table.idleTimeout().or(defaults::idleTimeout),
                Optional.empty(), Optional.empty(), table.syscallProfile().or(defaults::syscallProfile), deny, allow,
                List.of(), limits);
    }

    private static <T> void addNew(List<T> into, List<T> more) {
        for (T item : more) {
            if (!into.contains(item)) {
                into.add(item);
            }
        }
    }

    private static long larger(long a, long b) {
        return a == Rules.UNLIMITED || b == Rules.UNLIMITED ? Rules.UNLIMITED : Math.max(a, b);
    }

    /** No timeout (empty) beats any; else the longer. */
    private static Optional<Duration> longest(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return Optional.empty();
        }
        return a.get().compareTo(b.get()) >= 0 ? a : b;
    }

    /** All beats routes, routes add up, none beats not set. */
    static Optional<NetworkAccess> widest(Optional<NetworkAccess> a, Optional<NetworkAccess> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        NetworkAccess x = a.get();
        NetworkAccess y = b.get();
        if (x.mode() == NetworkAccess.Mode.ALL || y.mode() == NetworkAccess.Mode.ALL) {
            return Optional.of(NetworkAccess.all());
        }
        if (x.mode() == NetworkAccess.Mode.NONE) {
            return b;
        }
        if (y.mode() == NetworkAccess.Mode.NONE) {
            return a;
        }
        List<Route> routes = new ArrayList<>(x.routes());
        addNew(routes, y.routes());
        return Optional.of(NetworkAccess.routes(routes));
    }

    private static Set<String> allowed(Rules rules) {
        Set<String> allow = new LinkedHashSet<>(rules.syscallAllow());
        rules.syscallDeny().forEach(allow::remove);
        return allow;
    }

    private static ResourceLimits limits(Rules rules) {
        ResourceLimits builtIn = ResourceLimits.defaults();
        return new ResourceLimits(limit(rules, "processes", builtIn.processes()),
                limit(rules, "memory", builtIn.memoryBytes()), limit(rules, "open-files", builtIn.openFiles()),
                limit(rules, "output", builtIn.outputBytes()));
    }

    private static java.util.OptionalLong limit(Rules rules, String key, java.util.OptionalLong builtIn) {
        Long value = rules.limits().get(key);
        if (value == null) {
            return builtIn;
        }
        return value == Rules.UNLIMITED ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(value);
    }

    /**
     * The environment: a build script's (the defaults, then {@code env.pass}/{@code env.drop}), plus what rustc
     * and the crate's {@code env!} need: Cargo's {@code CARGO_*} variables and the names the package's build
     * script set with {@code cargo::rustc-env}; never a secret-looking name unless passed by its exact name.
     */
    private static Map<String, String> environment(RunnerInvocation invocation, Path tmp, Rules rules) {
        Set<String> fromBuildScript = rustcEnvNames(invocation);
        Map<String, String> env = new HashMap<>();
        for (Map.Entry<String, String> e : invocation.environment().entrySet()) {
            String name = e.getKey();
            boolean rustcNeeds = !Secrets.looksSecret(name)
                    && (name.startsWith("CARGO_") || fromBuildScript.contains(name));
            if (rustcNeeds || BuildScriptEnvironment.passes(name, e.getValue(), rules.envPass(), rules.envDrop())) {
                env.put(name, e.getValue());
            }
        }
        env.put("TMPDIR", tmp.toString());
        env.putAll(rules.envSet());
        return env;
    }

    /** The variables the package's build script set for its rustc calls ({@code <OUT_DIR>/../output}). */
    private static Set<String> rustcEnvNames(RunnerInvocation invocation) {
        Set<String> names = new java.util.HashSet<>();
        Optional<Path> output = invocation.outDir().map(p -> p.resolveSibling("output"));
        if (output.isEmpty() || !Files.isRegularFile(output.get())) {
            return names;
        }
        try {
            for (String line : Files.readAllLines(output.get())) {
                for (String prefix : List.of("cargo::rustc-env=", "cargo:rustc-env=")) {
                    if (line.startsWith(prefix) && line.indexOf('=', prefix.length()) > prefix.length()) {
                        names.add(line.substring(prefix.length(), line.indexOf('=', prefix.length())));
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // unreadable: only Cargo's own variables pass
        }
        return names;
    }

    /**
     * The private temporary directory of one rustc call: {@code <profile>/cordon-rustc/<crate><extra>} beside
     * its output directory (the extra file name carries Cargo's hash of the unit, so concurrent calls of one
     * package get their own); a folder under the system temporary directory without an output directory.
     */
    private static Path temporaryDirectory(RunnerInvocation invocation, RustcCall rustc) {
        String name = (rustc.crateName().orElse(invocation.crateName()) + rustc.extraFilename())
                .replaceAll("[^A-Za-z0-9_.-]", "_");
        Optional<Path> profile = rustc.outDir().map(Path::getParent);
        return profile.map(p -> p.resolve("cordon-rustc").resolve(name))
                .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"), "cordon-rustc-" + name));
    }

    /** The grant's subject: the proc-macro packages, as the denial explanations name them. */
    private static String subject(RunnerInvocation invocation) {
        return invocation.procMacros().isEmpty() ? invocation.crateName() : String.join(",", invocation.procMacros());
    }
}
