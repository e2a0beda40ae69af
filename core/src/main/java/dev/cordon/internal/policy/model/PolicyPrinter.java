package dev.cordon.internal.policy.model;

import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.SourceMode;
import dev.cordon.internal.policy.reading.KeyPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Prints a {@link PolicyModel} as canonical TOML: fixed key order, crates sorted, inline tables, one
 * key a line. Parsing the output gives an equal model (relative paths come out absolute).
 */
public final class PolicyPrinter {
    private PolicyPrinter() {
    }

    /**
     * {@return the model as TOML}
     *
     * @param model a validated policy
     */
    public static String print(PolicyModel model) {
        StringBuilder out = new StringBuilder();
        if (!model.backend().equals("auto") || !model.layers().isEmpty()) {
            out.append("[sandbox]\n");
            out.append("backend = ").append(KeyPath.quote(model.backend())).append('\n');
            if (!model.layers().isEmpty()) {
                out.append("layers = ").append(strings(model.layers())).append('\n');
            }
            out.append('\n');
        }
        section(out, "build", Optional.of(model.build()));
        section(out, "macro", model.macro());
        section(out, "run", model.run());
        return out.toString();
    }

    private static void section(StringBuilder out, String kind, Optional<PolicyModel.Section> section) {
        if (section.isEmpty()) {
            return;
        }
        out.append("[permissions.").append(kind).append("]\n");
        rules(out, section.get().defaults());
        out.append('\n');
        for (Map.Entry<String, Rules> crate : section.get().crates().entrySet()) {
            out.append('[').append(KeyPath.crateTable("permissions." + kind, crate.getKey())).append("]\n");
            rules(out, crate.getValue());
            out.append('\n');
        }
    }

    /**
     * Appends one table's keys.
     *
     * @param out where to print
     * @param rules the table
     */
    public static void rules(StringBuilder out, Rules rules) {
        rules.network().ifPresent(n -> out.append("network-access = ").append(network(n)).append('\n'));
        if (rules.hasFilesystem()) {
            List<String> parts = new ArrayList<>();
            parts.add("action = \"permit\"");
            addList(parts, "paths", rules.write().stream().map(PathSpec::text).toList());
            addList(parts, "read", rules.read().stream().map(PathSpec::text).toList());
            addList(parts, "hide", rules.hide().stream().map(PathSpec::text).toList());
            out.append("filesystem-access = ").append(inline(parts)).append('\n');
        }
        if (rules.hasEnv()) {
            List<String> parts = new ArrayList<>();
            addList(parts, "pass", rules.envPass());
            addList(parts, "drop", rules.envDrop());
            if (!rules.envSet().isEmpty()) {
                parts.add("set = " + inline(rules.envSet().entrySet().stream()
                        .map(e -> KeyPath.child("", e.getKey()) + " = " + KeyPath.quote(e.getValue())).toList()));
            }
            out.append("env = ").append(inline(parts)).append('\n');
        }
        rules.timeout().ifPresent(t -> out.append("timeout = \"").append(Durations.format(t)).append("\"\n"));
        rules.idleTimeout().ifPresent(t -> out.append("idle-timeout = \"").append(Durations.format(t))
                .append("\"\n"));
        rules.source().ifPresent(s -> out.append("source = \"").append(s == SourceMode.COPY ? "copy" : "read-only")
                .append("\"\n"));
        rules.liveLog().ifPresent(l -> out.append("live-log = ").append(KeyPath.quote(l)).append('\n'));
        if (rules.hasSyscalls()) {
            List<String> parts = new ArrayList<>();
            rules.syscallProfile().ifPresent(p -> parts.add("profile = " + KeyPath.quote(p)));
            addList(parts, "deny", rules.syscallDeny());
            addList(parts, "allow", rules.syscallAllow());
            out.append("syscalls = ").append(inline(parts)).append('\n');
        }
        if (!rules.directivesAllow().isEmpty()) {
            out.append("directives = { allow = ").append(strings(rules.directivesAllow())).append(" }\n");
        }
        if (!rules.limits().isEmpty()) {
            List<String> parts = new ArrayList<>();
            rules.limits().forEach((key, value) -> parts.add(key + " = " + (value == Rules.UNLIMITED ? "\"unlimited\""
                    : key.equals("memory") || key.equals("output") ? "\"" + Sizes.format(value) + "\""
                    : Long.toString(value))));
            out.append("limits = ").append(inline(parts)).append('\n');
        }
    }

    private static String network(NetworkAccess network) {
        return switch (network.mode()) {
            case NONE -> "{ action = \"deny\" }";
            case ALL -> "{ action = \"permit\" }";
            case ROUTES -> "{ action = \"permit\", routes = " + strings(network.routes().stream().map(Route::toString)
                    .toList()) + " }";
        };
    }

    private static void addList(List<String> parts, String key, List<String> values) {
        if (!values.isEmpty()) {
            parts.add(key + " = " + strings(values));
        }
    }

    private static String inline(List<String> parts) {
        return parts.isEmpty() ? "{}" : "{ " + String.join(", ", parts) + " }";
    }

    private static String strings(List<String> values) {
        return values.stream().map(KeyPath::quote).collect(Collectors.joining(", ", "[", "]"));
    }
}
