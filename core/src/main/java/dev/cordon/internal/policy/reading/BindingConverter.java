package dev.cordon.internal.policy.reading;

import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.SourceMode;
import dev.cordon.internal.policy.model.Durations;
import dev.cordon.internal.policy.model.PathSpec;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.Rules;
import dev.cordon.internal.policy.reading.binding.PolicyFile;
import dev.cordon.internal.policy.reading.binding.RulesTable;
import dev.cordon.internal.policy.reading.binding.SectionTable;
import dev.cordon.internal.policy.reading.constraints.LimitValues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Turns a bound policy into the {@link PolicyModel}. Only called when no problem was found. */
final class BindingConverter {
    private final Path policyDir;

    BindingConverter(Path policyDir) {
        this.policyDir = policyDir;
    }

    PolicyModel convert(PolicyFile file) {
        String backend = "auto";
        List<String> layers = List.of();
        if (file.sandbox != null) {
            if (file.sandbox.backend != null) {
                backend = file.sandbox.backend;
            }
            layers = file.sandbox.layers;
        }
        SectionTable build = file.permissions == null ? null : file.permissions.build;
        SectionTable macro = file.permissions == null ? null : file.permissions.macro;
        SectionTable run = file.permissions == null ? null : file.permissions.run;
        return new PolicyModel(backend, layers, section(build).orElse(PolicyModel.Section.EMPTY), section(macro),
                section(run));
    }

    private Optional<PolicyModel.Section> section(SectionTable table) {
        if (table == null) {
            return Optional.empty();
        }
        Map<String, Rules> crates = new TreeMap<>();
        String longForm = PolicyKeys.CRATES + ".";
        table.crateTables.forEach((below, rules) -> crates.put(below.startsWith(longForm)
                ? below.substring(longForm.length()) : below, rules(rules)));
        return Optional.of(new PolicyModel.Section(rules(table), crates));
    }

    private Rules rules(RulesTable t) {
        Optional<NetworkAccess> network = Optional.empty();
        if (t.networkAccess != null) {
            if (t.networkAccess.action.equals("deny")) {
                network = Optional.of(NetworkAccess.none());
            } else if (t.networkAccess.routes == null) {
                network = Optional.of(NetworkAccess.all());
            } else {
                network = Optional.of(NetworkAccess.routes(t.networkAccess.routes.stream()
                        .map(r -> Route.parse(r).orElseThrow()).toList()));
            }
        }
        List<PathSpec> write = new ArrayList<>();
        List<PathSpec> read = new ArrayList<>();
        List<PathSpec> hide = new ArrayList<>();
        if (t.filesystemAccess != null) {
            boolean deny = "deny".equals(t.filesystemAccess.action);
            t.filesystemAccess.paths.forEach(p -> (deny ? hide : write).add(PathSpec.parse(p, policyDir)));
            if (t.filesystemAccess.read != null) {
                t.filesystemAccess.read.forEach(p -> read.add(PathSpec.parse(p, policyDir)));
            }
            t.filesystemAccess.hide.forEach(p -> hide.add(PathSpec.parse(p, policyDir)));
        }
        List<String> pass = t.env == null ? List.of() : t.env.pass;
        List<String> drop = t.env == null ? List.of() : t.env.drop;
        Map<String, String> set = t.env == null ? Map.of() : t.env.set;
        Optional<SourceMode> source = Optional.ofNullable(t.source)
                .map(s -> s.equals("copy") ? SourceMode.COPY : SourceMode.READ_ONLY);
        Optional<String> profile = t.syscalls == null ? Optional.empty() : Optional.ofNullable(t.syscalls.profile);
        List<String> deny = t.syscalls == null ? List.of() : t.syscalls.deny;
        List<String> allow = t.syscalls == null ? List.of() : t.syscalls.allow;
        List<String> directivesAllow = t.directives == null ? List.of() : t.directives.allow;
        Map<String, Long> limits = new TreeMap<>();
        if (t.limits != null) {
            limit(limits, "processes", t.limits.processes, false);
            limit(limits, "memory", t.limits.memory, true);
            limit(limits, "open-files", t.limits.openFiles, false);
            limit(limits, "output", t.limits.output, true);
        }
        return new Rules(network, write, read, hide, pass, drop, set, duration(t.timeout), duration(t.idleTimeout),
                source, Optional.ofNullable(t.liveLog), profile, deny, allow, directivesAllow, limits);
    }

    private static void limit(Map<String, Long> into, String key, Object value, boolean size) {
        if (value != null) {
            into.put(key, LimitValues.toLong(value, size));
        }
    }

    private static Optional<Duration> duration(Object value) {
        if (value == null) {
            return Optional.empty();
        }
        return value instanceof Number seconds ? Durations.ofSeconds(seconds.longValue()) : Durations.parse(value.toString());
    }
}
