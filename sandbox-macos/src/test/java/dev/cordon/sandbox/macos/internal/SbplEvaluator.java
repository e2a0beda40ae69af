package dev.cordon.sandbox.macos.internal;

import dev.cordon.sandbox.macos.internal.SbplReader.Str;
import dev.cordon.sandbox.macos.internal.SbplReader.Sym;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides file operations the way Seatbelt does for the rules Cordon writes: the last matching rule
 * wins, {@code (literal p)} matches {@code p} exactly, {@code (subpath p)} matches {@code p} and what is
 * below it, a rule without filters matches every path, and {@code default} matches every operation.
 * Only for tests: it models the file rules, nothing else.
 */
final class SbplEvaluator {

    private record Rule(boolean allow, List<String> operations, List<List<Object>> filters) {
    }

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
     * {@return whether the operation on the path is allowed}
     *
     * @param operation e.g. {@code file-read*}, {@code file-write*}, {@code process-exec}
     * @param path an absolute path
     */
    boolean allows(String operation, String path) {
        boolean allowed = false;
        for (Rule rule : rules) {
            boolean operationMatches = rule.operations().contains("default") || rule.operations().contains(operation);
            if (operationMatches && matchesPath(rule, path)) {
                allowed = rule.allow();
            }
        }
        return allowed;
    }

    private static boolean matchesPath(Rule rule, String path) {
        if (rule.filters().isEmpty()) {
            return true;
        }
        for (List<Object> filter : rule.filters()) {
            String kind = ((Sym) filter.getFirst()).name();
            if (filter.size() != 2 || !(filter.get(1) instanceof Str value)) {
                continue;
            }
            if (kind.equals("literal") && path.equals(value.value())) {
                return true;
            }
            String base = value.value().endsWith("/") ? value.value() : value.value() + "/";
            if (kind.equals("subpath") && (path.equals(value.value()) || path.startsWith(base))) {
                return true;
            }
        }
        return false;
    }
}
