package dev.cordon.internal.policy.reading;

import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.SourceMode;
import dev.cordon.internal.policy.model.Durations;
import dev.cordon.internal.policy.model.PathSpec;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.Rules;
import dev.cordon.internal.policy.reading.binding.RulesBinding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Turns validated bindings into the {@link PolicyModel}. Only called when no problem was found. */
final class BindingConverter {
    private final Path policyDir;

    BindingConverter(Path policyDir) {
        this.policyDir = policyDir;
    }

    PolicyModel convert(PolicyBinder binder) {
        String backend = "auto";
        List<String> layers = List.of();
        if (binder.sandbox != null) {
            if (binder.sandbox.backend != null) {
                backend = binder.sandbox.backend;
            }
            layers = binder.sandbox.layers;
        }
        PolicyModel.Section build = section(binder.sections.get("build")).orElse(PolicyModel.Section.EMPTY);
        return new PolicyModel(backend, layers, build, section(binder.sections.get("macro")),
                section(binder.sections.get("run")));
    }

    private Optional<PolicyModel.Section> section(PolicyBinder.SectionBinding b) {
        if (b == null) {
            return Optional.empty();
        }
        Map<String, Rules> crates = new TreeMap<>();
        b.crates().forEach((name, rules) -> crates.put(name, rules(rules)));
        return Optional.of(new PolicyModel.Section(rules(b.defaults()), crates));
    }

    private Rules rules(RulesBinding b) {
        Optional<NetworkAccess> network = Optional.empty();
        if (b.network != null && b.network.action != null) {
            if (b.network.action.equals("deny")) {
                network = Optional.of(NetworkAccess.none());
            } else if (b.network.routes == null) {
                network = Optional.of(NetworkAccess.all());
            } else {
                network = Optional.of(NetworkAccess.routes(b.network.routesOrEmpty().stream()
                        .map(r -> Route.parse(r).orElseThrow()).toList()));
            }
        }
        List<PathSpec> write = new ArrayList<>();
        List<PathSpec> read = new ArrayList<>();
        List<PathSpec> hide = new ArrayList<>();
        if (b.filesystem != null) {
            boolean deny = "deny".equals(b.filesystem.action);
            b.filesystem.paths.forEach(p -> (deny ? hide : write).add(PathSpec.parse(p, policyDir)));
            b.filesystem.read.forEach(p -> read.add(PathSpec.parse(p, policyDir)));
            b.filesystem.hide.forEach(p -> hide.add(PathSpec.parse(p, policyDir)));
        }
        List<String> pass = b.env == null ? List.of() : b.env.pass;
        List<String> drop = b.env == null ? List.of() : b.env.drop;
        Map<String, String> set = b.env == null ? Map.of() : b.env.set;
        Optional<SourceMode> source = Optional.ofNullable(b.source)
                .map(s -> s.equals("copy") ? SourceMode.COPY : SourceMode.READ_ONLY);
        Optional<String> profile = b.syscalls == null ? Optional.empty() : Optional.ofNullable(b.syscalls.profile);
        List<String> deny = b.syscalls == null ? List.of() : b.syscalls.deny;
        List<String> allow = b.syscalls == null ? List.of() : b.syscalls.allow;
        List<String> directivesAllow = b.directives == null ? List.of() : b.directives.allow;
        Map<String, Long> limits = new TreeMap<>();
        if (b.limits != null) {
            limit(limits, "processes", ValueChecks.Kind.PROCESSES, b.limits.processes);
            limit(limits, "memory", ValueChecks.Kind.MEMORY, b.limits.memory);
            limit(limits, "open-files", ValueChecks.Kind.OPEN_FILES, b.limits.openFiles);
            limit(limits, "output", ValueChecks.Kind.OUTPUT, b.limits.output);
        }
        return new Rules(network, write, read, hide, pass, drop, set, duration(b.timeout), duration(b.idleTimeout),
                source, Optional.ofNullable(b.liveLog), profile, deny, allow, directivesAllow, limits);
    }

    private static void limit(Map<String, Long> into, String key, ValueChecks.Kind kind, Object value) {
        if (value != null) {
            into.put(key, ValueChecks.limitValue(kind, value));
        }
    }

    private static Optional<Duration> duration(Object value) {
        if (value == null) {
            return Optional.empty();
        }
        return value instanceof Long seconds ? Durations.ofSeconds(seconds) : Durations.parse(value.toString());
    }
}
