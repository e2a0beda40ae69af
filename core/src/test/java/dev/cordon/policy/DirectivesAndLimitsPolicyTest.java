package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Grant;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.ResourceLimits;
import dev.cordon.internal.policy.cache.ModelCodec;
import dev.cordon.internal.policy.reading.PolicyCompiler;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.PolicyPrinter;
import dev.cordon.internal.policy.model.Sizes;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The {@code directives} and {@code limits} keys: parsed, refined per crate, validated with precise errors. */
class DirectivesAndLimitsPolicyTest {
    private static final String POLICY = """
            [permissions.build]
            limits = { processes = 512, memory = "2GiB", output = "16MiB" }
            directives = { allow = ["rustc-link-search=native=/opt/sdk/*"] }

            [permissions.build.mold-user]
            directives = { allow = ["rustc-link-arg=-fuse-ld=mold"] }
            limits = { memory = "unlimited", open-files = 1024 }
            """;

    @Test
    void decide_defaultsHaveTheBuiltInLimitsAndNoAllowedDirectives() {
        Grant grant = Policies.defaults().decide(Fixtures.invocation("serde"));
        assertEquals(ResourceLimits.defaults(), grant.limits());
        assertEquals(List.of(), grant.allowedDirectives());
        assertEquals(grant, Policies.parse("", Fixtures.POLICY).decide(Fixtures.invocation("serde")).toBuilder()
                .policyName(grant.policyName()).build());
    }

    @Test
    void decide_crateLimitsReplaceDefaultsPerKeyAndAllowListsAddUp() {
        Policy policy = Policies.parse(POLICY, Fixtures.POLICY);
        Grant other = policy.decide(Fixtures.invocation("serde"));
        assertEquals(new ResourceLimits(OptionalLong.of(512), OptionalLong.of(2L << 30),
                OptionalLong.of(ResourceLimits.DEFAULT_OPEN_FILES), OptionalLong.of(16L << 20)), other.limits());
        assertEquals(List.of("rustc-link-search=native=/opt/sdk/*"), other.allowedDirectives());
        Grant mold = policy.decide(Fixtures.invocation("mold_user"));
        assertEquals(new ResourceLimits(OptionalLong.of(512), OptionalLong.empty(), OptionalLong.of(1024),
                OptionalLong.of(16L << 20)), mold.limits());
        assertEquals(List.of("rustc-link-search=native=/opt/sdk/*", "rustc-link-arg=-fuse-ld=mold"),
                mold.allowedDirectives());
    }

    @Test
    void compiledModel_roundTripsThroughTheCacheEncoding() throws IOException {
        PolicyModel model = PolicyCompiler.compile(POLICY.getBytes(StandardCharsets.UTF_8), Fixtures.POLICY);
        byte[] bytes = ModelCodec.encode(model);
        assertEquals(model, ModelCodec.decode(new DataInputStream(new ByteArrayInputStream(bytes))));
        assertEquals(model, PolicyCompiler.compile(PolicyPrinter.print(model).getBytes(StandardCharsets.UTF_8),
                Fixtures.POLICY), "printed and parsed again");
    }

    @Test
    void parse_badValuesAreReportedWithPlaceKeyQuotedValueAndFix() {
        String toml = """
                [permissions.build]
                limits = { processes = 0, memory = "2GB", open-files = "many", output = 1.5, cpu = 2 }
                directives = { allow = ["rustc-link-arg", "rustc-envv=X=1", "rustc-env=*", "rustc-link-arg=-B*/x"], deny = [] }
                [permissions.build.foo]
                limits = "small"
                directives = ["rustc-link-arg=-fuse-ld=lld"]
                """;
        PolicyException e = assertThrows(PolicyException.class, () -> Policies.parse(toml, Fixtures.POLICY));
        String all = String.join("\n", e.violations().stream().map(PolicyViolation::describe).toList());
        expect(e, "permissions.build.limits.processes", "0 is outside 8..4194304");
        expect(e, "permissions.build.limits.memory", "\"2GB\" uses a decimal or ambiguous unit");
        expect(e, "permissions.build.limits.open-files", "\"many\" is not a count");
        expect(e, "permissions.build.limits.output", "must be a number or a string, not the float 1.5");
        expect(e, "permissions.build.limits.cpu", "unknown key 'cpu'");
        expect(e, "permissions.build.directives.allow[0]", "\"rustc-link-arg\" is not KEY=VALUE");
        expect(e, "permissions.build.directives.allow[1]", "names unknown directive 'rustc-envv'");
        expect(e, "permissions.build.directives.allow[2]", "allows every value of 'rustc-env'");
        expect(e, "permissions.build.directives.allow[3]", "has a '*' before the end");
        expect(e, "permissions.build.directives.deny", "unknown key 'deny'");
        expect(e, "permissions.build.foo.limits", "must be a table");
        expect(e, "permissions.build.foo.directives", "must be a table");
        assertEquals(12, e.violations().size(), all);
    }

    /** A crate's limit replaces the default table's, key by key; a key set nowhere keeps the built-in value. */
    @Property
    void decide_limitsRefineKeyByKey(@ForAll("limit") Optional<String> defaultProcesses,
            @ForAll("limit") Optional<String> crateProcesses, @ForAll("size") Optional<String> defaultMemory,
            @ForAll("size") Optional<String> crateMemory) {
        String toml = "[permissions.build]\nlimits = { " + entries(defaultProcesses, defaultMemory) + " }\n"
                + "[permissions.build.foo]\nlimits = { " + entries(crateProcesses, crateMemory) + " }\n";
        Grant foo = Policies.parse(toml, Fixtures.POLICY).decide(Fixtures.invocation("foo"));
        Grant bar = Policies.parse(toml, Fixtures.POLICY).decide(Fixtures.invocation("bar"));
        assertEquals(expected(crateProcesses.or(() -> defaultProcesses), ResourceLimits.DEFAULT_PROCESSES),
                foo.limits().processes());
        assertEquals(expected(defaultProcesses, ResourceLimits.DEFAULT_PROCESSES), bar.limits().processes());
        assertEquals(expected(crateMemory.or(() -> defaultMemory), ResourceLimits.DEFAULT_MEMORY),
                foo.limits().memoryBytes());
        assertEquals(expected(defaultMemory, ResourceLimits.DEFAULT_MEMORY), bar.limits().memoryBytes());
        assertEquals(ResourceLimits.defaults().openFiles(), foo.limits().openFiles());
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Optional<String>> limit() {
        return net.jqwik.api.Arbitraries.oneOf(net.jqwik.api.Arbitraries.longs().between(8, 100_000)
                .map(n -> Optional.of(Long.toString(n))), net.jqwik.api.Arbitraries.just(Optional.of("\"unlimited\"")),
                net.jqwik.api.Arbitraries.just(Optional.empty()));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Optional<String>> size() {
        return net.jqwik.api.Arbitraries.oneOf(net.jqwik.api.Arbitraries.longs().between(32, 1 << 20)
                .map(n -> Optional.of("\"" + n + "MiB\"")), net.jqwik.api.Arbitraries.just(Optional.of("\"unlimited\"")),
                net.jqwik.api.Arbitraries.just(Optional.empty()));
    }

    private static String entries(Optional<String> processes, Optional<String> memory) {
        List<String> parts = new java.util.ArrayList<>();
        processes.ifPresent(p -> parts.add("processes = " + p));
        memory.ifPresent(m -> parts.add("memory = " + m));
        return String.join(", ", parts);
    }

    private static OptionalLong expected(Optional<String> written, long builtIn) {
        if (written.isEmpty()) {
            return OptionalLong.of(builtIn);
        }
        String w = written.get().replace("\"", "");
        if (w.equals("unlimited")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(w.endsWith("MiB") ? Long.parseLong(w.replace("MiB", "")) << 20 : Long.parseLong(w));
    }

    @Property
    void sizes_parseWhatFormatWrites(@ForAll @LongRange(min = 1, max = 1L << 50) long bytes) {
        assertEquals(Optional.of(bytes), Sizes.parse(Sizes.format(bytes)));
    }

    @Test
    void sizes_binaryUnitsOnly() {
        assertEquals(Optional.of(4L << 30), Sizes.parse("4GiB"));
        assertEquals(Optional.of(512L << 20), Sizes.parse("512 MiB"));
        assertEquals(Optional.of(100L), Sizes.parse("100"));
        assertEquals(Optional.empty(), Sizes.parse("4GB"));
        assertEquals(Optional.empty(), Sizes.parse("-1GiB"));
        assertEquals(Optional.empty(), Sizes.parse("99999999999TiB"));
    }

    private static void expect(PolicyException e, String keyPath, String fragment) {
        PolicyViolation v = e.violations().stream().filter(x -> x.keyPath().equals(keyPath)).findFirst()
                .orElseThrow(() -> new AssertionError("no violation at " + keyPath + " in\n" + e.getMessage()));
        assertTrue(v.describe().contains(fragment), "'" + fragment + "' not in: " + v.describe());
        assertTrue(v.line() > 0, "no line: " + v.describe());
        assertTrue(!v.fix().isEmpty(), "no fix: " + v.describe());
    }
}
