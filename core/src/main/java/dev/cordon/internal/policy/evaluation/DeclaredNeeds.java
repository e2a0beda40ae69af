package dev.cordon.internal.policy.evaluation;

import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.SourceMode;
import dev.cordon.internal.cache.CacheFiles;
import dev.cordon.internal.policy.PolicyLoader;
import dev.cordon.internal.policy.model.Durations;
import dev.cordon.internal.policy.model.EnvGlobs;
import dev.cordon.internal.policy.model.PathSpec;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.PolicyPrinter;
import dev.cordon.internal.policy.model.Rules;
import dev.cordon.internal.policy.reading.KeyPath;
import dev.cordon.internal.policy.reading.PolicyCompiler;
import dev.cordon.internal.text.PolicyTables;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a package says its build script (or its binaries, tests and benches) needs, in its own
 * {@code Cargo.toml}: {@code [package.metadata.cordon.permissions.build]} (or {@code .run}), with the keys of
 * a policy table. Cordon never grants a declaration: the package is the party the sandbox distrusts. It is
 * shown next to the grant ({@code explain}, a failure's explanation, the audit record), with the line that
 * would grant each need the policy does not, for the user to decide.
 *
 * @param manifest the package's {@code Cargo.toml}
 * @param rules what it declares for this kind of call; {@link Rules#EMPTY} when the declaration is invalid
 * @param problem why the declaration could not be read, when it is invalid
 */
public record DeclaredNeeds(Path manifest, Rules rules, Optional<String> problem) {

    /**
     * Reads the declaration of the package a call belongs to. Cheap for packages that declare nothing: a
     * manifest without the word {@code cordon} is not parsed.
     *
     * @param invocation a build script or run
     * @return the declaration, or empty when the package declares nothing for this kind of call
     */
    public static Optional<DeclaredNeeds> of(RunnerInvocation invocation) {
        Path manifest = invocation.manifestDir().toAbsolutePath().normalize().resolve("Cargo.toml");
        byte[] content;
        try {
            content = CacheFiles.read(manifest);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (!PolicyLoader.mentionsCordon(content)) {
            return Optional.empty();
        }
        try {
            Optional<PolicyCompiler.ManifestPolicy> declared = PolicyCompiler.compileManifest(content, manifest);
            if (declared.isEmpty() || !declared.get().table().equals("package.metadata.cordon")) {
                return Optional.empty();
            }
            PolicyModel model = declared.get().model();
            Optional<PolicyModel.Section> section = invocation.kind() == RunnerInvocation.Kind.RUN ? model.run()
                    : Optional.of(model.build());
            return section.map(PolicyModel.Section::defaults).filter(r -> !r.equals(Rules.EMPTY))
                    .map(r -> new DeclaredNeeds(manifest, r, Optional.empty()));
        } catch (PolicyException e) {
            PolicyViolation first = e.violations().getFirst();
            return Optional.of(new DeclaredNeeds(manifest, Rules.EMPTY, Optional.of(first.describe())));
        }
    }

    /**
     * Compares the declaration with a grant.
     *
     * @param invocation the call
     * @param grant what the policy granted
     * @param table the policy's table header for this crate, e.g. {@code [permissions.build.sqlx]}
     * @return one paragraph per declared need the grant does not meet: what the package declares, what the
     *     policy grants, and the TOML that would grant it; empty when every need is met
     */
    public List<String> unmet(RunnerInvocation invocation, Grant grant, String table) {
        List<String> out = new ArrayList<>();
        String crate = invocation.crateName();
        if (problem.isPresent()) {
            out.add(crate + " has an invalid declaration in " + manifest + ": " + problem.get());
            return out;
        }
        rules.network().ifPresent(declared -> {
            if (!networkMet(declared, grant.network())) {
                out.add(crate + " declares network " + describe(declared) + "; your policy grants "
                        + describe(grant.network()) + "; to allow it:\n" + table + "\n"
                        + line(rules(declared)));
            }
        });
        Map<String, Path> vars = PolicyEngine.variables(invocation, grant.temporaryDirectory());
        List<PathSpec> writes = new ArrayList<>();
        for (PathSpec spec : rules.write()) {
            Optional<Path> p = spec.resolve(vars).map(x -> x.toAbsolutePath().normalize());
            if (p.isPresent() && grant.writable().stream().noneMatch(p.get()::startsWith)) {
                writes.add(spec);
            }
        }
        List<PathSpec> reads = new ArrayList<>();
        for (PathSpec spec : rules.read()) {
            Optional<Path> p = spec.resolve(vars).map(x -> x.toAbsolutePath().normalize());
            if (p.isPresent() && grant.readable().stream().noneMatch(p.get()::startsWith)
                    && grant.writable().stream().noneMatch(p.get()::startsWith)) {
                reads.add(spec);
            }
        }
        if (!writes.isEmpty() || !reads.isEmpty()) {
            Rules wanted = new Rules(Optional.empty(), writes, reads, List.of(), List.of(), List.of(), Map.of(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    List.of(), List.of());
            out.add(crate + " declares filesystem access " + paths(writes, reads) + "; your policy grants "
                    + "none of it; to allow it:\n" + table + "\n" + line(wanted));
        }
        List<String> env = new ArrayList<>();
        for (String glob : rules.envPass()) {
            boolean missing = false;
            for (String name : invocation.environment().keySet()) {
                missing |= EnvGlobs.matches(glob, name) && !grant.environment().containsKey(name);
            }
            if (missing) {
                env.add(glob);
            }
        }
        if (!env.isEmpty()) {
            out.add(crate + " declares env.pass " + String.join(", ", env) + "; your policy passes none of "
                    + "them; to allow it:\n" + table + "\nenv = { pass = [" + String.join(", ", env.stream()
                    .map(KeyPath::quote).toList()) + "] }");
        }
        rules.timeout().ifPresent(t -> {
            Optional<Duration> granted = grant.timeout();
            if (granted.isPresent() && granted.get().compareTo(t) < 0) {
                out.add(crate + " declares timeout " + Durations.format(t) + "; your policy grants "
                        + Durations.format(granted.get()) + "; to allow it:\n" + table + "\ntimeout = \""
                        + Durations.format(t) + "\"");
            }
        });
        rules.source().filter(s -> s == SourceMode.COPY && grant.source() != SourceMode.COPY).ifPresent(s -> out
                .add(crate + " declares source = \"copy\"; your policy keeps its source read-only; to allow it:\n"
                        + table + "\nsource = \"copy\""));
        return out;
    }

    /**
     * {@return the table header a policy gives a crate, e.g. {@code [permissions.build.sqlx]}}
     *
     * @param keyPrefix where the policy's tables start ({@code workspace.metadata.cordon.} in a manifest)
     * @param invocation the call
     */
    public static String tableOf(String keyPrefix, RunnerInvocation invocation) {
        String section = invocation.kind() == RunnerInvocation.Kind.RUN ? PolicyTables.RUN : PolicyTables.BUILD;
        return PolicyTables.header(keyPrefix + section, invocation.crateName());
    }

    /** {@return the declaration as the TOML keys of a policy table} */
    public String toml() {
        StringBuilder out = new StringBuilder();
        PolicyPrinter.rules(out, rules);
        return out.toString().stripTrailing();
    }

    private static boolean networkMet(NetworkAccess declared, NetworkAccess granted) {
        return switch (declared.mode()) {
            case NONE -> true;
            case ALL -> granted.mode() == NetworkAccess.Mode.ALL;
            case ROUTES -> granted.mode() == NetworkAccess.Mode.ALL || granted.routes().containsAll(declared.routes());
        };
    }

    private static String describe(NetworkAccess network) {
        return switch (network.mode()) {
            case NONE -> "none";
            case ALL -> "all";
            case ROUTES -> String.join(", ", network.routes().stream().map(Route::toString).toList());
        };
    }

    private static Rules rules(NetworkAccess network) {
        return new Rules(Optional.of(network), List.of(), List.of(), List.of(), List.of(), List.of(), Map.of(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                List.of());
    }

    private static String paths(List<PathSpec> writes, List<PathSpec> reads) {
        List<String> parts = new ArrayList<>();
        if (!writes.isEmpty()) {
            parts.add("write " + String.join(", ", writes.stream().map(PathSpec::text).toList()));
        }
        if (!reads.isEmpty()) {
            parts.add("read " + String.join(", ", reads.stream().map(PathSpec::text).toList()));
        }
        return String.join("; ", parts);
    }

    private static String line(Rules rules) {
        StringBuilder out = new StringBuilder();
        PolicyPrinter.rules(out, rules);
        return out.toString().stripTrailing();
    }
}
