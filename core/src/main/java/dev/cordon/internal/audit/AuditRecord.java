package dev.cordon.internal.audit;

import dev.cordon.RunEvent;
import java.util.Locale;
import java.util.Optional;

/** Renders a {@link RunEvent} as one JSON object on one line (the audit log's record format). */
public final class AuditRecord {
    private AuditRecord() {
    }

    /**
     * @param event the event
     * @return one JSON object followed by {@code \n}; never contains another newline
     */
    public static String line(RunEvent event) {
        StringBuilder out = new StringBuilder(512);
        out.append('{');
        field(out, "time", event.started().toString()).append(',');
        field(out, "crate", event.crateName()).append(',');
        optional(out, "version", event.crateVersion()).append(',');
        field(out, "policy", event.policyName()).append(',');
        optional(out, "policySha256", event.policySha256()).append(',');
        field(out, "network", event.network().name().toLowerCase(Locale.ROOT)).append(',');
        out.append("\"writable\":").append(event.writableCount()).append(',');
        out.append("\"hidden\":").append(event.hiddenCount()).append(',');
        field(out, "backend", event.backendId()).append(',');
        out.append("\"command\":[");
        for (int i = 0; i < event.command().size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            Json.string(out, event.command().get(i));
        }
        out.append("],");
        out.append("\"durationMs\":").append(event.duration().toMillis()).append(',');
        out.append("\"exitCode\":").append(event.exitCode()).append(',');
        optional(out, "signal", event.signal()).append(',');
        // The policy key ("timeout", "idle-timeout"): the audit log's spelling since 0.1.
        optional(out, "timedOut", event.timedOut().isPresent() ? Optional.of(event.timedOut().get().key())
                : Optional.empty()).append(',');
        optional(out, "denial", event.denial());
        if (event.declaredNeeds().isPresent()) { // only for packages that declare: older readers see no change
            out.append(',');
            field(out, "declaredNeeds", event.declaredNeeds().get());
        }
        return out.append("}\n").toString();
    }

    private static StringBuilder field(StringBuilder out, String name, String value) {
        return Json.string(out.append('"').append(name).append("\":"), value);
    }

    private static StringBuilder optional(StringBuilder out, String name, Optional<String> value) {
        return value.isPresent() ? field(out, name, value.get()) : out.append('"').append(name).append("\":null");
    }
}
