package dev.cordon.sandbox.seccomp.internal;

import dev.cordon.ExitCodes;
import dev.cordon.NetworkAccess;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.SyscallProfile;
import dev.cordon.SyscallRules;
import dev.cordon.internal.text.Suggestions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a grant's {@link SyscallRules} and network into the rules of one filter.
 *
 * <p>Layers, in order: the named profile, minus the names in {@code allow}; then, when the network
 * is {@link NetworkAccess.Mode#NONE} and the profile is not {@code off}, the no-network rules (which
 * {@code allow} cannot lift: the network is the grant's network-access decision); then every name in
 * {@code deny}, refused with EPERM whatever came before, so deny beats allow.
 *
 * <p>Names are checked against the syscall tables of every supported architecture, so one policy
 * works on all of them: a name known elsewhere but not here (e.g. {@code iopl} on aarch64) is skipped.
 */
public final class RuleResolver {
    private RuleResolver() {
    }

    /**
     * Resolves the rules for one architecture.
     *
     * @throws PolicyException naming every unknown syscall or profile, with a suggestion
     */
    public static ResolvedFilter resolve(Architecture architecture, SyscallRules rules, NetworkAccess network) {
        String profileName = rules.profile().name();
        Optional<List<SyscallRule>> profile = Profiles.named(profileName);
        List<PolicyViolation> violations = new ArrayList<>();
        if (profile.isEmpty()) {
            violations.add(violation("syscalls.profile", "unknown syscall profile '" + profileName + "'",
                    Suggestions.nearest(profileName, Profiles.names())
                            .map(s -> "did you mean '" + s + "'?")
                            .orElse("use one of " + Profiles.names())));
        }
        checkNames(architecture, rules.deny(), "syscalls.deny", violations);
        checkNames(architecture, rules.allow(), "syscalls.allow", violations);
        if (!violations.isEmpty()) {
            throw new PolicyException(violations, ExitCodes.INVALID_POLICY);
        }

        Map<String, SyscallRule> byName = new LinkedHashMap<>();
        // Plain loops, no lambdas: this runs once per build script in a fresh JVM, where every
        // lambda and indy string concatenation bootstrap costs milliseconds.
        for (SyscallRule rule : profile.orElseThrow()) {
            if (!rules.allow().contains(rule.name())) {
                add(byName, rule);
            }
        }
        StringBuilder layers = new StringBuilder(profileName);
        if (network.mode() == NetworkAccess.Mode.NONE && !SyscallProfile.OFF.equals(rules.profile())) {
            for (SyscallRule rule : Profiles.noNetwork()) {
                add(byName, rule);
            }
            layers.append(" + no-network");
        }
        for (String name : rules.deny()) {
            byName.put(name, SyscallRule.eperm(name, "denied by the policy"));
        }
        if (!rules.deny().isEmpty()) {
            layers.append(" + deny ").append(rules.deny());
        }
        if (!rules.allow().isEmpty()) {
            layers.append(" - allow ").append(rules.allow());
        }

        SyscallTable table = architecture.syscalls();
        List<ResolvedFilter.Entry> entries = new ArrayList<>();
        for (SyscallRule rule : byName.values()) {
            OptionalInt number = table.number(rule.name());
            if (number.isPresent()) {
                entries.add(new ResolvedFilter.Entry(number.getAsInt(), rule));
            }
        }
        entries.sort(BY_NUMBER);
        return new ResolvedFilter(architecture, entries, layers.toString());
    }

    private static final Comparator<ResolvedFilter.Entry> BY_NUMBER = new Comparator<>() {
        @Override
        public int compare(ResolvedFilter.Entry a, ResolvedFilter.Entry b) {
            return Integer.compare(a.number(), b.number());
        }
    };

    private static void add(Map<String, SyscallRule> byName, SyscallRule rule) {
        SyscallRule earlier = byName.get(rule.name());
        byName.put(rule.name(), earlier == null ? rule : earlier.merge(rule));
    }

    /** {@return every syscall name of every supported architecture} */
    public static Set<String> knownNames() {
        Set<String> known = new TreeSet<>();
        for (Architecture architecture : Architecture.values()) {
            known.addAll(architecture.syscalls().all().keySet());
        }
        return known;
    }

    private static void checkNames(Architecture here, Set<String> names, String keyPath,
            List<PolicyViolation> violations) {
        for (String name : names) {
            if (!isKnown(here, name)) {
                violations.add(violation(keyPath, "unknown syscall '" + name + "'",
                        Suggestions.nearest(name, knownNames()).map(s -> "did you mean '" + s + "'?")
                                .orElse("use a name from the Linux syscall tables, e.g. 'ptrace'")));
            }
        }
    }

    /** Looks in this architecture's table first, so the others load only for rare names. */
    private static boolean isKnown(Architecture here, String name) {
        if (here.syscalls().number(name).isPresent()) {
            return true;
        }
        for (Architecture architecture : Architecture.values()) {
            if (architecture.syscalls().number(name).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private static PolicyViolation violation(String keyPath, String message, String fix) {
        return new PolicyViolation(Optional.empty(), 0, 0, keyPath, message, fix);
    }
}
