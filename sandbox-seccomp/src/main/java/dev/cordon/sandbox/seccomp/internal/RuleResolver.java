package dev.cordon.sandbox.seccomp.internal;

import dev.cordon.ExitCodes;
import dev.cordon.NetworkAccess;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.SyscallRules;
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
        Optional<List<SyscallRule>> profile = Profiles.named(rules.profile());
        List<PolicyViolation> violations = new ArrayList<>();
        if (profile.isEmpty()) {
            violations.add(violation("syscalls.profile", "unknown syscall profile '" + rules.profile() + "'",
                    Suggestions.closest(rules.profile(), Profiles.names())
                            .map(s -> "did you mean '" + s + "'?")
                            .orElse("use one of " + Profiles.names())));
        }
        Set<String> known = knownNames();
        checkNames(rules.deny(), "syscalls.deny", known, violations);
        checkNames(rules.allow(), "syscalls.allow", known, violations);
        if (!violations.isEmpty()) {
            throw new PolicyException(violations, ExitCodes.INVALID_POLICY);
        }

        Map<String, SyscallRule> byName = new LinkedHashMap<>();
        for (SyscallRule rule : profile.orElseThrow()) {
            if (!rules.allow().contains(rule.name())) {
                byName.merge(rule.name(), rule, SyscallRule::merge);
            }
        }
        StringBuilder layers = new StringBuilder(rules.profile());
        if (network.mode() == NetworkAccess.Mode.NONE && !SyscallRules.OFF.equals(rules.profile())) {
            Profiles.noNetwork().forEach(rule -> byName.merge(rule.name(), rule, SyscallRule::merge));
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
        entries.sort(Comparator.comparingInt(ResolvedFilter.Entry::number));
        return new ResolvedFilter(architecture, entries, layers.toString());
    }

    /** {@return every syscall name of every supported architecture} */
    public static Set<String> knownNames() {
        Set<String> known = new TreeSet<>();
        for (Architecture architecture : Architecture.values()) {
            known.addAll(architecture.syscalls().all().keySet());
        }
        return known;
    }

    private static void checkNames(Set<String> names, String keyPath, Set<String> known,
            List<PolicyViolation> violations) {
        for (String name : names) {
            if (!known.contains(name)) {
                violations.add(violation(keyPath, "unknown syscall '" + name + "'",
                        Suggestions.closest(name, known).map(s -> "did you mean '" + s + "'?")
                                .orElse("use a name from the Linux syscall tables, e.g. 'ptrace'")));
            }
        }
    }

    private static PolicyViolation violation(String keyPath, String message, String fix) {
        return new PolicyViolation(Optional.empty(), 0, 0, keyPath, message, fix);
    }
}
