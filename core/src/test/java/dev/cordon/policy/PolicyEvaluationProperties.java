package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import dev.cordon.Secrets;
import dev.cordon.SourceMode;
import dev.cordon.SyscallProfile;
import dev.cordon.SyscallRules;
import dev.cordon.internal.policy.evaluation.BuildScriptEnvironment;
import dev.cordon.internal.policy.model.EnvGlobs;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.PolicyPrinter;
import dev.cordon.internal.policy.model.Rules;
import dev.cordon.internal.policy.evaluation.TomlPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The rules of policy evaluation, each as a property over generated policies and invocations. */
class PolicyEvaluationProperties {

    @Provide
    Arbitrary<PolicyModel> models() {
        return PolicyArbitraries.models();
    }

    @Provide
    Arbitrary<RunnerInvocation> invocations() {
        return PolicyArbitraries.invocations();
    }

    @Provide
    Arbitrary<Rules> rules() {
        return PolicyArbitraries.rules();
    }

    @Provide
    Arbitrary<String> crates() {
        return net.jqwik.api.Arbitraries.of(PolicyArbitraries.CRATES);
    }

    /** Parses the printed model, so every property also exercises the TOML path. */
    private static Policy policy(PolicyModel model) {
        return Policies.parse(PolicyPrinter.print(model), Fixtures.POLICY);
    }

    @Property(tries = 200)
    void decide_policyWithNoTablesIsExactlyTheDefaults(@ForAll("invocations") RunnerInvocation invocation) {
        Grant defaults = Policies.defaults().decide(invocation).toBuilder().policyName(Fixtures.POLICY.toString())
                .build();
        for (String toml : List.of("", "# nothing\n", "[permissions]\n", "[permissions.build]\n",
                "[sandbox]\nbackend = \"auto\"\n[permissions.build]\n")) {
            assertEquals(defaults, Policies.parse(toml, Fixtures.POLICY).decide(invocation), toml);
        }
    }

    @Property(tries = 200)
    void decide_crateTableChangesOnlyThatCrate(@ForAll("models") PolicyModel model, @ForAll("crates") String crate,
            @ForAll("rules") Rules table, @ForAll("invocations") RunnerInvocation invocation) {
        if (PolicyModel.normalise(crate).equals(PolicyModel.normalise(invocation.crateName()))) {
            return;
        }
        Map<String, Rules> crates = new HashMap<>(model.build().crates());
        crates.put(crate, table);
        PolicyModel changed = new PolicyModel(model.backend(), model.layers(), new PolicyModel.Section(model.build()
                .defaults(), crates), model.macro(), model.run());
        assertEquals(policy(model).decide(invocation), policy(changed).decide(invocation));
    }

    @Property(tries = 100)
    void decide_unknownCrateGetsTheDefaultsTable(@ForAll("models") PolicyModel model,
            @ForAll("invocations") RunnerInvocation invocation) {
        PolicyModel withoutCrates = new PolicyModel(model.backend(), model.layers(), new PolicyModel.Section(model
                .build().defaults(), Map.of()), model.macro(), model.run());
        RunnerInvocation unknown = withCrate(invocation, "no-such-crate-here");
        assertEquals(policy(withoutCrates).decide(unknown), policy(model).decide(unknown));
    }

    @Property(tries = 200)
    void decide_denyBeatsPermit(@ForAll("models") PolicyModel model, @ForAll("invocations") RunnerInvocation invocation) {
        Grant grant = policy(model).decide(invocation);
        for (Path p : concat(grant.writable(), grant.readable())) {
            for (Path h : grant.hidden()) {
                assertFalse(p.startsWith(h), p + " is permitted but lies in hidden " + h);
            }
        }
        Optional<Path> home = invocation.environment().getOrDefault("HOME", "").isEmpty() ? Optional.empty()
                : Optional.of(Path.of(invocation.environment().get("HOME")));
        home.ifPresent(h -> assertTrue(grant.hidden().contains(h.resolve(".ssh")), "built-in secrets stay hidden"));
        String cargoHome = invocation.environment().getOrDefault("CARGO_HOME", "");
        Optional<Path> cargo = cargoHome.startsWith("/") ? Optional.of(Path.of(cargoHome)) : home.map(h -> h.resolve(".cargo"));
        cargo.ifPresent(c -> assertTrue(grant.hidden().contains(c.resolve("credentials.toml"))
                && grant.hidden().contains(c.resolve("credentials")), "Cargo's tokens stay hidden wherever CARGO_HOME is"));
    }

    @Property(tries = 200)
    void decide_crateTableRefinesDefaults(@ForAll("models") PolicyModel model,
            @ForAll("invocations") RunnerInvocation invocation) {
        Grant grant = policy(model).decide(invocation);
        Rules d = model.build().defaults();
        Rules c = model.build().crate(invocation.crateName()).orElse(Rules.EMPTY);
        assertEquals(c.network().or(d::network).orElse(NetworkAccess.none()), grant.network());
        assertEquals(c.timeout().or(d::timeout), grant.timeout());
        assertEquals(c.idleTimeout().or(d::idleTimeout), grant.idleTimeout());
        assertEquals(c.source().or(d::source).orElse(SourceMode.READ_ONLY), grant.source());
        Set<String> deny = new LinkedHashSet<>(d.syscallDeny());
        deny.addAll(c.syscallDeny());
        Set<String> allow = new LinkedHashSet<>(d.syscallAllow());
        allow.addAll(c.syscallAllow());
        allow.removeAll(deny);
        assertEquals(new SyscallRules(SyscallProfile.of(c.syscallProfile().or(d::syscallProfile).orElse("default")),
                deny,
                allow, model.layers().contains("seccomp")), grant.syscalls());
        assertEquals(model.backend(), grant.backend().id());
        Map<String, String> set = new HashMap<>(d.envSet());
        set.putAll(c.envSet());
        set.forEach((k, v) -> assertEquals(v, grant.environment().get(k), "env.set " + k));
    }

    @Property(tries = 200)
    void decide_syscallDenyBeatsAllow(@ForAll("models") PolicyModel model,
            @ForAll("invocations") RunnerInvocation invocation) {
        SyscallRules rules = policy(model).decide(invocation).syscalls();
        for (String s : rules.allow()) {
            assertFalse(rules.deny().contains(s), s);
        }
    }

    @Property(tries = 300)
    void decide_envDropBeatsPassButNotCargoOrSet(@ForAll("models") PolicyModel model,
            @ForAll("invocations") RunnerInvocation invocation) {
        Grant grant = policy(model).decide(invocation);
        Rules d = model.build().defaults();
        Rules c = model.build().crate(invocation.crateName()).orElse(Rules.EMPTY);
        List<String> pass = concat(d.envPass(), c.envPass());
        List<String> drop = concat(d.envDrop(), c.envDrop());
        Set<String> set = new LinkedHashSet<>(d.envSet().keySet());
        set.addAll(c.envSet().keySet());
        set.add("TMPDIR");
        for (Map.Entry<String, String> e : invocation.environment().entrySet()) {
            String name = e.getKey();
            if (set.contains(name)) {
                continue;
            }
            boolean passed = grant.environment().containsKey(name);
            boolean featureFlag = name.startsWith("CARGO_FEATURE_") && e.getValue().equals("1");
            if (name.equals("RUSTC_BOOTSTRAP") || (Secrets.looksSecret(name) && !featureFlag)) {
                assertEquals(pass.contains(name) && !EnvGlobs.matchesAny(drop, name), passed,
                        name + " passes only when named exactly, whatever its prefix");
            } else if (BuildScriptEnvironment.isCargoVariable(name)) {
                assertTrue(passed, "Cargo's " + name + " always passes");
            } else if (EnvGlobs.matchesAny(drop, name)) {
                assertFalse(passed, "dropped " + name + " passed");
            } else {
                assertEquals(BuildScriptEnvironment.passesByDefault(name, e.getValue())
                        || EnvGlobs.matchesAny(pass, name), passed, name);
            }
        }
        for (String name : grant.environment().keySet()) {
            assertTrue(invocation.environment().containsKey(name) || set.contains(name), "invented " + name);
        }
    }

    /**
     * Issue 12, item 5: a secret-looking name under any prefix the defaults let through (Cargo's own,
     * {@code DEP_*}, {@code CARGO_CFG_*}, toolchain prefixes such as {@code OPENSSL_}, {@code CMAKE_},
     * {@code PKG_CONFIG_}) never passes unless the policy names it exactly.
     */
    @Property(tries = 500)
    void decide_secretTestComesFirstForEveryPrefix(
            @ForAll("allowedPrefixes") String prefix, @ForAll("secretWords") String word,
            @ForAll("suffixes") String suffix, @ForAll("models") PolicyModel model,
            @ForAll("invocations") RunnerInvocation invocation) {
        String name = prefix + word + suffix;
        Map<String, String> env = new HashMap<>(invocation.environment());
        env.put(name, "s3cr3t-value");
        RunnerInvocation withSecret = new RunnerInvocation(invocation.kind(), invocation.program(),
                invocation.arguments(), invocation.workingDirectory(), env);
        Grant grant = policy(model).decide(withSecret);
        Rules d = model.build().defaults();
        Rules c = model.build().crate(withSecret.crateName()).orElse(Rules.EMPTY);
        boolean namedExactly = d.envPass().contains(name) || c.envPass().contains(name);
        boolean set = d.envSet().containsKey(name) || c.envSet().containsKey(name);
        assertTrue(Secrets.looksSecret(name), name);
        if (!namedExactly && !set) {
            assertFalse(grant.environment().containsKey(name), name + " reached the build script");
        }
        assertFalse(BuildScriptEnvironment.passesByDefault(name, "s3cr3t-value"), name);
    }

    @Provide
    Arbitrary<String> allowedPrefixes() {
        return net.jqwik.api.Arbitraries.of("", "DEP_OPENSSL_", "DEP_Z_", "CARGO_CFG_", "CARGO_PKG_", "CARGO_FEATURE_",
                "OPENSSL_", "OPENSSL_KEY_", "CMAKE_", "CMAKE_REMOTE_CACHE_", "PKG_CONFIG_", "PKG_CONFIG_FOO_", "CC_",
                "CFLAGS_", "TARGET_", "HOST_", "LC_", "RING_", "BINDGEN_", "SQLITE3_", "ZLIB_", "LIBZ_", "CXX_", "AR_");
    }

    @Provide
    Arbitrary<String> secretWords() {
        return net.jqwik.api.Arbitraries.of("TOKEN", "SECRET", "PASSWORD", "PASS", "AUTH", "API_KEY", "PRIVATE_KEY",
                "CREDENTIALS", "DEPLOY", "PASSPHRASE", "ACCESS_KEY", "COOKIE", "BEARER");
    }

    @Provide
    Arbitrary<String> suffixes() {
        return net.jqwik.api.Arbitraries.of("", "_FILE", "_B64", "_1");
    }

    @Property(tries = 100)
    void decide_isPureAndDeterministic(@ForAll("models") PolicyModel model,
            @ForAll("invocations") RunnerInvocation invocation) {
        Policy policy = policy(model);
        Grant first = policy.decide(invocation);
        RunnerInvocation copy = new RunnerInvocation(invocation.kind(), invocation.program(), invocation.arguments(),
                invocation.workingDirectory(), new HashMap<>(invocation.environment()));
        assertEquals(first, policy.decide(copy));
        assertEquals(first, new TomlPolicy(model, Fixtures.POLICY).decide(invocation), "model and TOML agree");
    }

    @Property(tries = 200)
    void decide_tableOrderDoesNotMatter(@ForAll("models") PolicyModel model, @ForAll java.util.Random random,
            @ForAll("invocations") RunnerInvocation invocation) {
        List<String> tables = new ArrayList<>(List.of(PolicyPrinter.print(model).split("\n\n")));
        java.util.Collections.shuffle(tables, random);
        Policy shuffled = Policies.parse(String.join("\n\n", tables), Fixtures.POLICY);
        assertEquals(model, ((TomlPolicy) shuffled).model());
        assertEquals(policy(model).decide(invocation), shuffled.decide(invocation));
    }

    @Property(tries = 300)
    void print_parseRoundTripsToAnEqualModel(@ForAll("models") PolicyModel model) {
        String toml = PolicyPrinter.print(model);
        PolicyModel parsed = ((TomlPolicy) Policies.parse(toml, Fixtures.POLICY)).model();
        assertEquals(model, parsed, toml);
        assertEquals(toml, PolicyPrinter.print(parsed));
    }

    private static RunnerInvocation withCrate(RunnerInvocation invocation, String crate) {
        Map<String, String> env = new HashMap<>(invocation.environment());
        env.put("CARGO_PKG_NAME", crate);
        return RunnerInvocation.of(invocation.program(), invocation.workingDirectory(), env);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
