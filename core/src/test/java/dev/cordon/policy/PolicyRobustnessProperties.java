package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.cordon.ExitCodes;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.internal.policy.reading.PolicyCompiler;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.PolicyPrinter;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Broken input of every kind ends in a PolicyException, never in anything else. */
class PolicyRobustnessProperties {
    private static final List<String> VALID = List.of(Fixtures.resource("seed.toml"), Fixtures.resource("design.toml"),
            Fixtures.resource("broken.toml"));
    private static final List<String> JUNK = List.of("\"", "'", "[", "]", "{", "}", "=", ",", "\n", "#", ".", "$",
            "..", "[[", "\"\"\"", "'''", "true", "5", "-1", "1e400", "0x", "\\u0000", "\\", "\u0000", "é", "\t",
            "[permissions.build.x]\n", "network-access", "action", "= {", "routes = [", "netwrok-access = 3\n");

    @Provide
    Arbitrary<String> mutatedPolicies() {
        Arbitrary<String> base = Arbitraries.oneOf(Arbitraries.of(VALID), PolicyArbitraries.models()
                .map(PolicyPrinter::print));
        Arbitrary<List<int[]>> edits = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, JUNK.size() - 1))
                .as((op, at, junk) -> new int[] {op, at, junk}).list().ofMinSize(1).ofMaxSize(4);
        return Combinators.combine(base, edits).as(PolicyRobustnessProperties::mutate);
    }

    private static String mutate(String text, List<int[]> edits) {
        String t = text;
        for (int[] e : edits) {
            int at = t.isEmpty() ? 0 : e[1] % t.length();
            String junk = JUNK.get(e[2]);
            t = switch (e[0]) {
                case 0 -> t.isEmpty() ? t : t.substring(0, at) + t.substring(at + 1);
                case 1 -> t.substring(0, at) + junk + t.substring(at);
                case 2 -> t.replaceFirst("\"[^\"\n]*\"", java.util.regex.Matcher.quoteReplacement(junk.equals("\"") ? "5" : junk));
                default -> t.replaceFirst("[a-z-]+ =", java.util.regex.Matcher.quoteReplacement(junk + " ="));
            };
        }
        return t;
    }

    @Property(tries = 1000)
    void parse_mutatedPoliciesOnlyEverThrowPolicyException(@ForAll("mutatedPolicies") String toml) {
        parseOrPolicyException(toml);
    }

    @Property(tries = 500)
    void parse_randomTextOnlyEverThrowsPolicyException(@ForAll String toml) {
        parseOrPolicyException(toml);
    }

    @Property(tries = 500)
    void compile_randomBytesOnlyEverThrowPolicyException(@ForAll byte[] bytes) {
        try {
            PolicyModel model = PolicyCompiler.compile(bytes, Fixtures.POLICY);
            assertNotNull(model);
        } catch (PolicyException e) {
            checkViolations(e);
        }
    }

    private static void parseOrPolicyException(String toml) {
        try {
            assertNotNull(Policies.parse(toml, Fixtures.POLICY).decide(Fixtures.invocation("sqlx")));
        } catch (PolicyException e) {
            checkViolations(e);
        }
    }

    private static void checkViolations(PolicyException e) {
        assertEquals(ExitCodes.INVALID_POLICY, e.exitCode());
        assertFalse(e.violations().isEmpty());
        for (PolicyViolation v : e.violations()) {
            assertFalse(v.message().isBlank(), v.toString());
            assertFalse(v.message().contains("com.fasterxml") && !v.message().startsWith("malformed TOML"),
                    v.describe());
        }
    }
}
