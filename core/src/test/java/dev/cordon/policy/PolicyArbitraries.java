package dev.cordon.policy;

import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.SourceMode;
import dev.cordon.internal.policy.model.PathSpec;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.Rules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of valid policy models and of build-script invocations. */
final class PolicyArbitraries {
    static final Path POLICY_DIR = Fixtures.POLICY.getParent();
    /** Crate names; none normalises to another. */
    // env, timeout and crates have their tables under [permissions.build.crates] (issue 16).
    static final List<String> CRATES = List.of("sqlx", "serde", "ring", "foo-bar", "libz_sys", "rust_version",
            "proc-macro2", "env", "timeout", "crates");
    static final List<String> PATHS = List.of("$OUT_DIR/gen", "$OUT_DIR", "$HOME/.cache/x", "/opt/sdk",
            "/opt/sdk/include", "$HOME/.ssh", "$HOME/.ssh/id_rsa", "$HOME", "$TARGET_DIR", "$WORKSPACE_ROOT/data",
            "$TMPDIR/sub", "${CARGO_MANIFEST_DIR}/src", "/etc", "/etc/ssl", "mydb.sqlite", "data/../db",
            "$POLICY_DIR/fixtures", "/");
    static final List<String> PASS = List.of("CC_*", "MY_VAR", "FOO", "BAR_*", "*", "RUSTC_BOOTSTRAP", "RUSTC_*",
            "AWS_SECRET_ACCESS_KEY", "PATH", "*_TOKEN");
    static final List<String> DROP = List.of("FOO", "BAR_*", "PATH", "CC_*", "*", "HOME", "MY_*", "CARGO_*");
    static final List<String> SET_NAMES = List.of("SOURCE_DATE_EPOCH", "FOO", "MY_VAR", "TMPDIR", "PATH");
    static final List<String> SET_VALUES = List.of("0", "x y", "ünïcode \"quoted\" \\ back", "", "$HOME");
    static final List<String> SYSCALLS = List.of("keyctl", "ptrace", "bpf", "mount", "add_key");
    static final List<String> ENV_NAMES = List.of("PATH", "HOME", "CC_x86_64", "MY_VAR", "FOO", "BAR_1",
            "RUSTC_BOOTSTRAP", "RUSTC_FLAGS", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "CARGO_FEATURE_TOKEN",
            "CARGO_HOME", "LANG", "SSH_AUTH_SOCK", "RANDOM_THING", "MY_SECRET", "DEP_OPENSSL_PASSWORD",
            "CARGO_CFG_API_TOKEN", "OPENSSL_KEY_PASS", "CMAKE_REMOTE_CACHE_AUTH", "PKG_CONFIG_FOO_DEPLOY",
            "CARGO_FEATURE_PASSWORD_HASHING", "DATABASE_URL");

    private PolicyArbitraries() {
    }

    static Arbitrary<NetworkAccess> network() {
        Arbitrary<NetworkAccess> routes = Arbitraries.of("127.0.0.1:5432", "[::1]:80", "localhost:5432",
                "db.example.com:443").list().ofMinSize(1).ofMaxSize(3)
                .map(l -> NetworkAccess.routes(l.stream().map(r -> Route.parse(r).orElseThrow()).toList()));
        return Arbitraries.oneOf(Arbitraries.just(NetworkAccess.none()), Arbitraries.just(NetworkAccess.all()), routes);
    }

    static Arbitrary<List<PathSpec>> paths() {
        return Arbitraries.of(PATHS).list().ofMaxSize(3).map(l -> l.stream().map(p -> PathSpec.parse(p, POLICY_DIR))
                .toList());
    }

    static Arbitrary<Rules> rules() {
        Arbitrary<Optional<NetworkAccess>> network = network().optional(0.5);
        Arbitrary<List<String>> pass = Arbitraries.of(PASS).list().ofMaxSize(3);
        Arbitrary<List<String>> drop = Arbitraries.of(DROP).list().ofMaxSize(2);
        Arbitrary<Map<String, String>> set = Arbitraries.maps(Arbitraries.of(SET_NAMES), Arbitraries.of(SET_VALUES))
                .ofMaxSize(2);
        Arbitrary<Optional<Duration>> duration = Arbitraries.of(Duration.ofMillis(500), Duration.ofSeconds(90),
                Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofSeconds(61)).optional(0.3);
        Arbitrary<Optional<SourceMode>> source = Arbitraries.of(SourceMode.class).optional(0.3);
        Arbitrary<Optional<String>> profile = Arbitraries.of("default", "off", "strict").optional(0.3);
        Arbitrary<Optional<String>> liveLog = Arbitraries.of("stderr", "cordon/live.log", "/var/log/build \"x\".log")
                .optional(0.3);
        Arbitrary<List<String>> syscalls = Arbitraries.of(SYSCALLS).list().ofMaxSize(3);
        Arbitrary<Object[]> first = Combinators.combine(network, paths(), paths(), paths(), pass, drop, set)
                .as((n, w, r, h, p, d, s) -> new Object[] {n, w, r, h, p, d, s});
        Arbitrary<Object[]> second = Combinators.combine(duration, duration, source, liveLog, profile, syscalls,
                syscalls).as((t, i, so, ll, pr, de, al) -> new Object[] {t, i, so, ll, pr, de, al});
        return Combinators.combine(first, second).as(PolicyArbitraries::rules);
    }

    @SuppressWarnings("unchecked")
    private static Rules rules(Object[] a, Object[] b) {
        return new Rules((Optional<NetworkAccess>) a[0], (List<PathSpec>) a[1], (List<PathSpec>) a[2],
                (List<PathSpec>) a[3], (List<String>) a[4], (List<String>) a[5], (Map<String, String>) a[6],
                (Optional<Duration>) b[0], (Optional<Duration>) b[1], (Optional<SourceMode>) b[2],
                (Optional<String>) b[3], (Optional<String>) b[4], (List<String>) b[5], (List<String>) b[6]);
    }

    static Arbitrary<PolicyModel.Section> section() {
        Arbitrary<Map<String, Rules>> crates = Arbitraries.maps(Arbitraries.of(CRATES), rules()).ofMaxSize(3);
        return Combinators.combine(rules(), crates).as(PolicyModel.Section::new);
    }

    static Arbitrary<PolicyModel> models() {
        return Combinators.combine(Arbitraries.of("auto", "none", "bwrap"),
                Arbitraries.of(List.<String>of(), List.of("seccomp")), section(), section().optional(0.3),
                section().optional(0.3)).as(PolicyModel::new);
    }

    static Arbitrary<RunnerInvocation> invocations() {
        Arbitrary<String> crate = Arbitraries.oneOf(Arbitraries.of(CRATES), Arbitraries.of("unknown-crate", "FOO_BAR",
                "foo_bar", "libz-sys"));
        Arbitrary<Integer> layout = Arbitraries.integers().between(0, 2);
        Arbitrary<Map<String, String>> env = Arbitraries.maps(Arbitraries.of(ENV_NAMES), Arbitraries.of("1", "v",
                "/x", "/usr/local/cargo")).ofMaxSize(8);
        return Combinators.combine(crate, layout, env, Arbitraries.of("/home/dev", "", "/root")).as((c, l, e, home) -> {
            Map<String, String> vars = new HashMap<>(e);
            vars.put("CARGO_PKG_NAME", c);
            vars.put("TARGET", "x86_64-unknown-linux-gnu");
            vars.put("HOME", home);
            String out = switch (l) {
                case 0 -> "/w/target/debug/build/" + c + "-00ff/out";
                case 1 -> "/w/target/x86_64-unknown-linux-gnu/release/build/" + c + "-00ff/out";
                default -> null;
            };
            if (out != null) {
                vars.put("OUT_DIR", out);
            }
            vars.put("CARGO_MANIFEST_DIR", "/registry/" + c + "-1.0.0");
            return RunnerInvocation.of(Path.of("/w/target/debug/build/" + c + "-00ff/build-script-build"),
                    Path.of("/registry/" + c + "-1.0.0"), vars);
        });
    }
}
