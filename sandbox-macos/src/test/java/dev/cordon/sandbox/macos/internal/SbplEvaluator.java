package dev.cordon.sandbox.macos.internal;

import dev.cordon.sandbox.macos.internal.SbplReader.Str;
import dev.cordon.sandbox.macos.internal.SbplReader.Sym;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decides operations the way Seatbelt does for the rules Cordon writes, as far as Apple documents and
 * production profiles show it:
 * <ul>
 *   <li>the last matching rule wins; {@code default} matches every operation;</li>
 *   <li>an operation ending in {@code *} names a family: {@code file-write*} matches
 *       {@code file-write-unlink}, {@code process-info*} matches {@code process-info-pidinfo};</li>
 *   <li>a rule without filters matches everything; with filters, any one matching suffices;</li>
 *   <li>{@code (literal p)} matches {@code p} exactly, {@code (subpath p)} matches {@code p} and what is
 *       below it, {@code (regex r)} matches when {@code r} is found in the path (Cordon anchors its own);</li>
 *   <li>{@code (sysctl-name n)} and {@code (sysctl-name-prefix n)} match a sysctl name; {@code (global-name
 *       n)} a Mach service.</li>
 * </ul>
 * The subject of a query is the path as Seatbelt sees it (resolved), a sysctl name or a service name.
 * Filters the model does not know (targets, sockets, remote addresses) never match a subject, so rules
 * carrying only those are checked structurally by the tests instead. Only for tests.
 */
final class SbplEvaluator {

    private record Rule(boolean allow, List<String> operations, List<List<Object>> filters) {
    }

    private final Map<String, Pattern> patterns = new HashMap<>();

    private final List<Rule> rules = new ArrayList<>();

    SbplEvaluator(String profile) {
        for (Object form : SbplReader.readAll(profile)) {
            if (!(form instanceof List<?> list) || list.isEmpty() || !(list.getFirst() instanceof Sym head)) {
                throw new IllegalArgumentException("not a rule: " + form);
            }
            if (head.name().equals("version")) {
                continue;
            }
            List<String> operations = new ArrayList<>();
            List<List<Object>> filters = new ArrayList<>();
            for (Object part : list.subList(1, list.size())) {
                if (part instanceof Sym op) {
                    operations.add(op.name());
                } else if (part instanceof List<?> filter) {
                    filters.add(List.copyOf(filter));
                } else {
                    throw new IllegalArgumentException("unexpected " + part + " in " + form);
                }
            }
            rules.add(new Rule(head.name().equals("allow"), operations, filters));
        }
    }

    /**
     * {@return whether the operation on the subject is allowed}
     *
     * @param operation a concrete operation, e.g. {@code file-read-data}, {@code file-write-unlink},
     *     {@code process-exec}, {@code sysctl-read}
     * @param subject an absolute path as Seatbelt sees it, a sysctl name, or a Mach service name
     */
    boolean allows(String operation, String subject) {
        boolean allowed = false;
        for (Rule rule : rules) {
            if (rule.operations().stream().anyMatch(op -> covers(op, operation)) && matches(rule, subject)) {
                allowed = rule.allow();
            }
        }
        return allowed;
    }

    static boolean covers(String ruleOperation, String operation) {
        if (ruleOperation.equals("default") || ruleOperation.equals(operation)) {
            return true;
        }
        return ruleOperation.endsWith("*")
                && operation.startsWith(ruleOperation.substring(0, ruleOperation.length() - 1));
    }

    private boolean matches(Rule rule, String subject) {
        if (rule.filters().isEmpty()) {
            return true;
        }
        for (List<Object> filter : rule.filters()) {
            if (filter.size() != 2 || !(filter.get(1) instanceof Str value)) {
                continue;
            }
            String v = value.value();
            boolean hit = switch (((Sym) filter.getFirst()).name()) {
                case "literal", "sysctl-name", "global-name" -> subject.equals(v);
                case "subpath" -> subject.equals(v) || subject.startsWith(v.endsWith("/") ? v : v + "/");
                case "sysctl-name-prefix" -> subject.startsWith(v);
                case "regex" -> patterns.computeIfAbsent(v, r -> Pattern.compile(r, Pattern.DOTALL | Pattern.UNIX_LINES))
                        .matcher(subject).find();
                default -> false;
            };
            if (hit) {
                return true;
            }
        }
        return false;
    }
}
