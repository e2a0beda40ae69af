package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.cordon.ExitCodes;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.PolicyPrinter;
import dev.cordon.internal.policy.model.Rules;
import dev.cordon.internal.policy.reading.PolicyCompiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Issue 16: binding and validation of policies, as properties. Every valid policy round-trips, in the
 * printer's layout and in another (dotted keys, literal strings); every invalid one (an unknown key, a wrongly
 * typed value, a bad value, anywhere in the tables) is rejected with the file, the line and column of the
 * defect, its key path, and a fix; in a policy file and in a Cargo manifest alike.
 */
class PolicyBindingProperties {
    private static final Path MANIFEST = Fixtures.POLICY.resolveSibling("Cargo.toml");

    // ---- valid policies ----

    @Provide
    Arbitrary<PolicyModel> models() {
        Arbitrary<Rules> rules = Combinators.combine(PolicyArbitraries.rules(), Arbitraries.of(List.<String>of(),
                List.of("rustc-link-arg=-fuse-ld=lld"), List.of("rustc-link-search=native=/opt/sdk/*", "rustc-cfg=has_simd")),
                limits()).as((r, directives, limits) -> new Rules(r.network(), r.write(), r.read(), r.hide(),
                r.envPass(), r.envDrop(), r.envSet(), r.timeout(), r.idleTimeout(), r.source(), r.liveLog(),
                r.syscallProfile(), r.syscallDeny(), r.syscallAllow(), directives, limits));
        Arbitrary<PolicyModel.Section> section = Combinators.combine(rules, Arbitraries.maps(
                Arbitraries.of(PolicyArbitraries.CRATES), rules).ofMaxSize(3)).as(PolicyModel.Section::new);
        return Combinators.combine(Arbitraries.of("auto", "none", "bwrap"), Arbitraries.of(List.<String>of(),
                List.of("seccomp")), section, section.optional(0.3), section.optional(0.3)).as(PolicyModel::new);
    }

    private static Arbitrary<Map<String, Long>> limits() {
        return Combinators.combine(Arbitraries.longs().between(8, 4_194_304).injectNull(0.5),
                Arbitraries.of(32L << 20, 4L << 30, 3L << 40, Rules.UNLIMITED).injectNull(0.5),
                Arbitraries.longs().between(16, 1L << 20).injectNull(0.7),
                Arbitraries.of(1L << 10, 16L << 20, Rules.UNLIMITED).injectNull(0.5)).as((p, m, f, o) -> {
                    Map<String, Long> limits = new java.util.TreeMap<>();
                    Optional.ofNullable(p).ifPresent(v -> limits.put("processes", v));
                    Optional.ofNullable(m).ifPresent(v -> limits.put("memory", v));
                    Optional.ofNullable(f).ifPresent(v -> limits.put("open-files", v));
                    Optional.ofNullable(o).ifPresent(v -> limits.put("output", v));
                    return limits;
                });
    }

    @Property(tries = 300)
    void bind_everyValidPolicyRoundTripsThroughTheText(@ForAll("models") PolicyModel model) {
        String toml = PolicyPrinter.print(model);
        PolicyModel read = compile(toml);
        assertEquals(model, read, toml);
        assertEquals(toml, PolicyPrinter.print(read));
    }

    @Property(tries = 300)
    void bind_layoutDoesNotMatter_dottedKeysBindToTheSameModel(@ForAll("models") PolicyModel model) throws IOException {
        TomlMapper toml = new TomlMapper();
        String dotted = toml.writeValueAsString(toml.readTree(PolicyPrinter.print(model)));
        assertEquals(model, compile(dotted), dotted);
    }

    // ---- invalid policies ----

    /**
     * One defect: a line of TOML to put in a crate table, and the key path (below that table) it must be
     * reported at.
     */
    record Defect(String text, String keyPath) {
    }

    /** The crate table a defect is appended in: short and long form, in each section. */
    @Provide
    Arbitrary<String> tables() {
        return Arbitraries.of("permissions.build.zz-broken", "permissions.run.zz-broken",
                "permissions.macro.zz-broken", "permissions.build.crates.zz-long");
    }

    @Provide
    Arbitrary<String> containers() {
        return Arbitraries.of("file", "workspace.metadata.cordon", "package.metadata.cordon");
    }

    /** Permission keys and what they hold. */
    private static final Map<String, String> SHAPES = Map.ofEntries(Map.entry("network-access", "table"),
            Map.entry("filesystem-access", "table"), Map.entry("env", "table"), Map.entry("syscalls", "table"),
            Map.entry("directives", "table"), Map.entry("limits", "table"), Map.entry("timeout", "duration"),
            Map.entry("idle-timeout", "duration"), Map.entry("source", "string"), Map.entry("live-log", "string"));
    /** Inner keys, with the table they are in, a prefix that makes the table otherwise valid, and their shape. */
    private static final List<String[]> INNER = List.of(
            new String[] {"network-access", "action = \"permit\", ", "routes", "strings"},
            new String[] {"network-access", "", "action", "string"},
            new String[] {"filesystem-access", "action = \"permit\", ", "paths", "strings"},
            new String[] {"filesystem-access", "action = \"permit\", ", "read", "strings"},
            new String[] {"filesystem-access", "action = \"permit\", ", "hide", "strings"},
            new String[] {"env", "", "pass", "strings"}, new String[] {"env", "", "drop", "strings"},
            new String[] {"env", "", "set", "table"}, new String[] {"syscalls", "", "profile", "string"},
            new String[] {"syscalls", "", "deny", "strings"}, new String[] {"directives", "", "allow", "strings"},
            new String[] {"limits", "", "processes", "limit"}, new String[] {"limits", "", "memory", "limit"});
    /** TOML values of each type. */
    private static final Map<String, List<String>> VALUES = Map.of("string", List.of("\"x\"", "\"\"", "' '"),
            "integer", List.of("5", "0", "-1"), "float", List.of("1.5", "inf"), "boolean", List.of("true", "false"),
            "array", List.of("[]", "[\"a\"]", "[1, 2]"), "table", List.of("{}", "{ a = \"b\" }"),
            "date", List.of("1979-05-27", "07:32:00"));

    @Provide
    Arbitrary<Defect> defects() {
        return Arbitraries.oneOf(unknownKeys(), wrongTypes(), badValues());
    }

    private static Arbitrary<String> unknownNames(List<String> known) {
        Arbitrary<String> typos = Arbitraries.of(known).flatMap(k -> Arbitraries.integers().between(0, k.length() - 1)
                .map(i -> k.substring(0, i) + (k.charAt(i) == 'x' ? 'y' : 'x') + k.substring(i + 1)));
        Arbitrary<String> words = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '_').ofMinLength(1)
                .ofMaxLength(12);
        return Arbitraries.oneOf(typos, words).filter(w -> !known.contains(w) && !w.equals("crates")
                && Character.isLetter(w.charAt(0)));
    }

    private static Arbitrary<Defect> unknownKeys() {
        Arbitrary<Defect> inCrate = Combinators.combine(unknownNames(List.copyOf(SHAPES.keySet())),
                Arbitraries.of("1", "\"x\"", "{ timeout = \"1m\" }", "{ action = \"deny\" }"))
                .as((k, v) -> new Defect(k + " = " + v, k));
        Arbitrary<Defect> inner = Arbitraries.of(INNER).flatMap(i -> unknownNames(List.of("action", "routes", "paths",
                "read", "hide", "pass", "drop", "set", "profile", "deny", "allow", "processes", "memory", "open-files",
                "output")).map(k -> new Defect(i[0] + " = { " + i[1] + k + " = 1 }", i[0] + "." + k)));
        return Arbitraries.oneOf(inCrate, inner);
    }

    private static Arbitrary<Defect> wrongTypes() {
        Arbitrary<Defect> outer = Arbitraries.of(SHAPES.keySet()).flatMap(key -> wrongValue(SHAPES.get(key))
                .map(v -> new Defect(key + " = " + v, key)));
        Arbitrary<Defect> inner = Arbitraries.of(INNER).flatMap(i -> wrongValue(i[3]).map(v -> new Defect(i[0]
                + " = { " + i[1] + i[2] + " = " + v + " }", i[0] + "." + i[2])));
        Arbitrary<Defect> element = Arbitraries.of(INNER).filter(i -> i[3].equals("strings")).flatMap(i ->
                Combinators.combine(Arbitraries.of("1", "true", "[\"a\"]", "{ a = \"b\" }", "2.5"),
                        Arbitraries.integers().between(0, 2)).as((v, at) -> {
                            String before = "\"" + (i[2].equals("routes") ? "127.0.0.1:1" : i[2].equals("allow")
                                    && i[0].equals("directives") ? "rustc-cfg=x" : i[2].equals("deny") ? "keyctl"
                                    : i[2].equals("pass") || i[2].equals("drop") ? "FOO" : "/opt") + "\", ";
                            return new Defect(i[0] + " = { " + i[1] + i[2] + " = [" + before.repeat(at) + v + "] }",
                                    i[0] + "." + i[2] + "[" + at + "]");
                        }));
        return Arbitraries.oneOf(outer, inner, element);
    }

    /** A TOML value that does not have a shape. */
    private static Arbitrary<String> wrongValue(String shape) {
        List<String> types = switch (shape) {
            case "table" -> List.of("string", "integer", "float", "boolean", "array", "date");
            case "string" -> List.of("integer", "float", "boolean", "array", "table");
            case "strings" -> List.of("string", "integer", "float", "boolean", "table", "date");
            default -> List.of("float", "boolean", "array", "table"); // duration, limit: string or integer
        };
        return Arbitraries.of(types).flatMap(t -> Arbitraries.of(VALUES.get(t)))
                .filter(v -> !(shape.equals("strings") && v.equals("[]")));
    }

    private static Arbitrary<Defect> badValues() {
        return Arbitraries.of(
                new Defect("network-access = { action = \"permit\", routes = [\"127.0.0.1\"] }", "network-access.routes[0]"),
                new Defect("network-access = { action = \"alow\" }", "network-access.action"),
                new Defect("network-access = { routes = [\"127.0.0.1:1\"] }", "network-access.action"),
                new Defect("network-access = { action = \"deny\", routes = [\"127.0.0.1:1\"] }", "network-access.routes"),
                new Defect("filesystem-access = { action = \"permit\", paths = [\"/ok\", \"$OTU_DIR/x\"] }",
                        "filesystem-access.paths[1]"),
                new Defect("filesystem-access = { action = \"permit\", hide = [\"~/.ssh\"] }", "filesystem-access.hide[0]"),
                new Defect("filesystem-access = { action = \"deny\", read = [\"/x\"] }", "filesystem-access.read"),
                new Defect("env = { drop = [\"CARGO_PKG_NAME\"] }", "env.drop[0]"),
                new Defect("env = { set = { \"1X\" = \"y\", \"A B\" = \"z\" } }", "env.set.1X"),
                new Defect("env = { set = { \"A B\" = \"z\" } }", "env.set.\"A B\""),
                new Defect("timeout = \"-5s\"", "timeout"), new Defect("idle-timeout = \"5 parsecs\"", "idle-timeout"),
                new Defect("timeout = 0", "timeout"), new Defect("source = \"raed-only\"", "source"),
                new Defect("live-log = \"\"", "live-log"),
                new Defect("syscalls = { deny = [\"Bad!\"] }", "syscalls.deny[0]"),
                new Defect("syscalls = { profile = \"Default\" }", "syscalls.profile"),
                new Defect("directives = { allow = [\"rustc-envv=X=1\"] }", "directives.allow[0]"),
                new Defect("limits = { memory = \"2GB\" }", "limits.memory"),
                new Defect("limits = { processes = 1 }", "limits.processes"),
                new Defect("limits = { output = \"lots\" }", "limits.output"));
    }

    @Property(tries = 1000)
    void bind_everyInvalidInputIsRejectedAtItsLineAndKeyPath(@ForAll("models") PolicyModel model,
            @ForAll("defects") Defect defect, @ForAll("tables") String table, @ForAll("containers") String container) {
        String policy = PolicyPrinter.print(model) + "\n[" + table + "]\n" + defect.text() + "\n";
        String prefix = container.equals("file") ? "" : container + ".";
        String text = container.equals("file") ? policy : inManifest(policy, container);
        Path file = container.equals("file") ? Fixtures.POLICY : MANIFEST;
        int line = text.split("\n", -1).length - 1;
        String expected = prefix + table + "." + defect.keyPath();
        try {
            if (container.equals("file")) {
                PolicyCompiler.compile(text.getBytes(StandardCharsets.UTF_8), file);
            } else {
                PolicyCompiler.compileManifest(text.getBytes(StandardCharsets.UTF_8), file);
            }
            throw new AssertionError("accepted:\n" + text);
        } catch (PolicyException e) {
            assertEquals(ExitCodes.INVALID_POLICY, e.exitCode());
            String all = e.getMessage() + "\n" + text;
            assertTrue(e.violations().stream().anyMatch(v -> v.keyPath().equals(expected)), "no violation at "
                    + expected + ": " + all);
            String written = text.split("\n", -1)[line - 1];
            for (PolicyViolation v : e.violations()) {
                assertEquals(file, v.file().orElseThrow(), all);
                assertEquals(line, v.line(), "not on the defect's line: " + v.describe() + "\n" + all);
                assertTrue(v.column() >= 1 && v.column() <= written.length(), "column: " + v.describe());
                assertTrue(v.keyPath().startsWith(prefix + table + "."), v.describe());
                assertFalse(v.message().isBlank(), v.describe());
                assertFalse(v.fix().isBlank(), "no fix: " + v.describe());
                assertFalse(v.message().contains("cannot be read") || v.message().contains("com.fasterxml"),
                        "a library's message reached the user: " + v.describe());
            }
        }
    }

    /** An unknown key at the top of a policy file, before every table. */
    @Property(tries = 200)
    void bind_anUnknownTopLevelKeyIsRejectedAtItsLine(@ForAll("models") PolicyModel model) {
        String text = "sandbx = \"bwrap\"\n" + PolicyPrinter.print(model);
        try {
            compile(text);
            throw new AssertionError("accepted:\n" + text);
        } catch (PolicyException e) {
            PolicyViolation v = e.violations().getFirst();
            assertEquals(1, e.violations().size(), e.getMessage());
            assertEquals("sandbx", v.keyPath());
            assertEquals(1, v.line());
            assertEquals(1, v.column());
            assertTrue(v.fix().contains("did you mean 'sandbox'?"), v.describe());
        }
    }

    private static PolicyModel compile(String toml) {
        return PolicyCompiler.compile(toml.getBytes(StandardCharsets.UTF_8), Fixtures.POLICY);
    }

    /** The policy text moved under a manifest table: every header gets the table's name in front. */
    private static String inManifest(String policy, String table) {
        String head = table.startsWith("workspace") ? "[workspace]\nmembers = [\"app\"]\n\n"
                : "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n";
        return head + policy.replaceAll("(?m)^\\[", "[" + table + ".");
    }
}
