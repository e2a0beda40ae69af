package dev.cordon.internal.runner;

import dev.cordon.Grant;
import dev.cordon.Secrets;
import dev.cordon.internal.policy.model.Durations;
import java.nio.file.Path;
import java.util.List;

/** Renders a grant for people ({@code explain}, logs). Secret-looking values are redacted. */
final class GrantDescription {
    private GrantDescription() {
    }

    static String of(Grant grant) {
        StringBuilder out = new StringBuilder();
        out.append("crate: ").append(grant.crateName()).append('\n');
        out.append("policy: ").append(grant.policyName()).append('\n');
        out.append("backend asked for: ").append(grant.backend()).append('\n');
        out.append("network: ").append(grant.network().describe()).append('\n');
        paths(out, "writable", grant.writable());
        paths(out, "readable (kept visible)", grant.readable());
        paths(out, "hidden", grant.hidden());
        out.append("temporary directory: ").append(grant.temporaryDirectory()).append('\n');
        out.append("source: ").append(grant.source().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .append('\n');
        out.append("timeout: ").append(grant.timeout().map(Durations::format).orElse("none"))
                .append(", idle timeout: ").append(grant.idleTimeout().map(Durations::format).orElse("none"))
                .append('\n');
        out.append("syscalls: profile ").append(grant.syscalls().profile());
        if (!grant.syscalls().deny().isEmpty()) {
            out.append(", also deny ").append(grant.syscalls().deny());
        }
        if (!grant.syscalls().allow().isEmpty()) {
            out.append(", allow ").append(grant.syscalls().allow());
        }
        out.append(grant.syscalls().required() ? " (required)" : "").append('\n');
        out.append("environment (").append(grant.environment().size()).append(" variables):\n");
        grant.environment().forEach((k, v) -> out.append("  ").append(k).append('=')
                .append(Secrets.looksSecret(k) ? "<redacted>" : v).append('\n'));
        return out.toString();
    }

    private static void paths(StringBuilder out, String label, List<Path> paths) {
        out.append(label).append(':');
        if (paths.isEmpty()) {
            out.append(" none\n");
            return;
        }
        out.append('\n');
        for (Path p : paths) {
            out.append("  ").append(p).append('\n');
        }
    }
}
