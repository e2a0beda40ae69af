package dev.cordon.internal.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.cordon.internal.policy.evaluation.DeclaredNeeds;
import dev.cordon.internal.policy.reading.KeyPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The smallest policy additions that would have let a build's failed runs pass, from the audit log
 * ({@code cordon-runner suggest}). Only lines a denial printed are taken: the first way out each explanation
 * offers (not its "or ..." alternatives), never a crate's own declaration ({@link DeclaredNeeds}), never a
 * placeholder path ({@code ...}). Lines for the same table are merged: lists add up, equal values stay once.
 * Nothing is widened: a merged list holds exactly the values the denials named.
 *
 * <p>Only the last record of each crate counts: a crate that failed and later passed needs nothing.
 */
public final class PolicyAdditions {
    private static final Pattern HEADER = Pattern.compile(
            "^\\[((?:[A-Za-z0-9_-]+\\.)*permissions\\.(?:build|run)\\.(?:crates\\.)?(?:[A-Za-z0-9_-]+|\"[^\"]+\"))\\]$");
    private static final Pattern INLINE = Pattern.compile(
            "to allow it, in \\[((?:[A-Za-z0-9_-]+\\.)*permissions\\.(?:build|run)\\.(?:crates\\.)?(?:[A-Za-z0-9_-]+|\"[^\"]+\"))\\]: (.+)$");
    private static final Pattern KEY_LINE = Pattern.compile("^([a-z][a-z-]*) = (.+)$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TomlMapper TOML = new TomlMapper();

    /** One table of the additions: its keys, merged, and why each denial wanted them. */
    private static final class Table {
        final Map<String, JsonNode> keys = new LinkedHashMap<>();
        final List<String> reasons = new ArrayList<>();
        final List<String> conflicts = new ArrayList<>();
    }

    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final List<String> unsolved = new ArrayList<>();
    private int failedRuns;

    /**
     * Reads audit records (one JSON object a line; other lines are skipped).
     *
     * @param records the audit log's lines, oldest first
     * @return the additions
     */
    public static PolicyAdditions fromAuditLog(List<String> records) {
        Map<String, JsonNode> last = new LinkedHashMap<>();
        for (String line : records) {
            try {
                JsonNode record = JSON.readTree(line);
                if (record != null && record.isObject() && record.hasNonNull("crate")) {
                    String crate = record.get("crate").asText() + " " + record.path("version").asText("");
                    last.remove(crate); // keep the order of the last runs
                    last.put(crate, record);
                }
            } catch (java.io.IOException | RuntimeException e) {
                // not a record: a torn line of a killed run, or something else appended to the file
            }
        }
        PolicyAdditions additions = new PolicyAdditions();
        for (JsonNode record : last.values()) {
            if (record.path("exitCode").asInt(0) != 0) {
                additions.failedRuns++;
                String who = record.get("crate").asText() + (record.path("version").isTextual() ? " v"
                        + record.path("version").asText() : "");
                JsonNode denial = record.path("denial");
                if (!denial.isTextual() || !additions.add(who, denial.asText())) {
                    additions.unsolved.add(who + " failed with exit status " + record.path("exitCode").asInt()
                            + (denial.isTextual() ? ", and its explanation named no policy line" : ", and Cordon"
                            + " recognised no denial: its own output says why"));
                }
            }
        }
        return additions;
    }

    /**
     * Adds what one explanation says would allow each refusal in it; returns whether it named any line.
     * Explanations are prose for people (each backend writes its own), so this reads their one fixed form:
     * a table header on its own line followed by {@code key = value} lines, or a route refusal's
     * {@code in [table]: key = value}. Blocks after a line starting with "or " are alternatives, and blocks
     * under a package's declaration or a guess ("one of them") are not what a denial showed: all skipped.
     */
    private boolean add(String who, String denial) {
        List<String> lines = new ArrayList<>();
        for (String raw : denial.split("\n")) {
            lines.add((raw.startsWith("cordon: ") ? raw.substring("cordon: ".length()) : raw).strip());
        }
        boolean found = false;
        List<String> prose = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher inline = INLINE.matcher(line);
            if (inline.find()) {
                Matcher key = KEY_LINE.matcher(inline.group(2));
                if (key.matches()) {
                    found |= take(who, inline.group(1), List.<String[]>of(new String[] {key.group(1), key.group(2)}),
                            List.of(line));
                }
                continue;
            }
            Matcher header = HEADER.matcher(line);
            if (!header.matches()) {
                if (!line.isEmpty()) {
                    prose.add(line);
                }
                continue;
            }
            List<String[]> keys = new ArrayList<>();
            int j = i + 1;
            for (; j < lines.size(); j++) {
                Matcher key = KEY_LINE.matcher(lines.get(j));
                if (!key.matches()) {
                    break;
                }
                keys.add(new String[] {key.group(1), key.group(2)});
            }
            String lead = prose.isEmpty() ? "" : prose.getLast();
            boolean skip = lead.startsWith("or ") || (lead.contains(" declares ") && lead.endsWith("to allow it:"))
                    || String.join(" ", prose).contains("one of them");
            if (!skip) {
                found |= take(who, header.group(1), keys, prose);
            }
            prose = new ArrayList<>();
            i = j - 1;
        }
        return found;
    }

    private boolean take(String who, String tableName, List<String[]> keys, List<String> why) {
        Map<String, JsonNode> usable = new LinkedHashMap<>();
        for (String[] kv : keys) {
            if (kv[1].contains("...") || kv[1].contains("HOST:PORT")) {
                continue; // a placeholder: the denial did not name the path or server
            }
            parse(kv[0], kv[1]).ifPresent(value -> usable.put(kv[0], value));
        }
        if (usable.isEmpty()) {
            return false;
        }
        Table table = tables.computeIfAbsent(tableName, t -> new Table());
        usable.forEach((key, value) -> merge(table, key, value));
        table.reasons.add(who + ": " + String.join("\n  ", why));
        return true;
    }

    private static Optional<JsonNode> parse(String key, String value) {
        try {
            return Optional.ofNullable(TOML.readTree(key + " = " + value)).map(n -> n.get(key));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void merge(Table table, String key, JsonNode value) {
        JsonNode old = table.keys.get(key);
        if (old == null) {
            table.keys.put(key, value.deepCopy());
        } else if (old.isObject() && value.isObject()) {
            ObjectNode into = (ObjectNode) old;
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                JsonNode mine = into.get(e.getKey());
                if (mine == null) {
                    into.set(e.getKey(), e.getValue().deepCopy());
                } else if (mine.isArray() && e.getValue().isArray()) {
                    for (JsonNode element : e.getValue()) {
                        if (!contains((ArrayNode) mine, element)) {
                            ((ArrayNode) mine).add(element.deepCopy());
                        }
                    }
                } else if (!mine.equals(e.getValue())) {
                    table.conflicts.add(key + "." + e.getKey() + " = " + render(e.getValue()));
                }
            }
        } else if (!old.equals(value)) {
            table.conflicts.add(key + " = " + render(value));
        }
    }

    private static boolean contains(ArrayNode array, JsonNode element) {
        for (JsonNode e : array) {
            if (e.equals(element)) {
                return true;
            }
        }
        return false;
    }

    /** {@return whether there is anything to add} */
    public boolean isEmpty() {
        return tables.isEmpty();
    }

    /** {@return how many crates' last runs failed} */
    public int failedRuns() {
        return failedRuns;
    }

    /** {@return failed runs no policy line would fix, with the reason} */
    public List<String> unsolved() {
        return List.copyOf(unsolved);
    }

    /**
     * {@return the additions as TOML: each table with comments saying which script needed it and why}
     */
    public String toml() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Table> t : tables.entrySet()) {
            if (t.getValue().keys.isEmpty()) {
                continue;
            }
            if (!out.isEmpty()) {
                out.append('\n');
            }
            for (String reason : t.getValue().reasons) {
                for (String line : reason.split("\n")) {
                    out.append("# ").append(line).append('\n');
                }
            }
            out.append('[').append(t.getKey()).append("]\n");
            for (Map.Entry<String, JsonNode> key : t.getValue().keys.entrySet()) {
                out.append(key.getKey()).append(" = ").append(render(key.getValue())).append('\n');
            }
            for (String conflict : t.getValue().conflicts) {
                out.append("# another denial suggested: ").append(conflict).append('\n');
            }
        }
        return out.toString();
    }

    private static String render(JsonNode node) {
        if (node.isObject()) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                parts.add(KeyPath.child("", e.getKey()) + " = " + render(e.getValue()));
            }
            return parts.isEmpty() ? "{}" : "{ " + String.join(", ", parts) + " }";
        }
        if (node.isArray()) {
            List<String> parts = new ArrayList<>();
            node.forEach(e -> parts.add(render(e)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (node.isTextual()) {
            return KeyPath.quote(node.asText());
        }
        return node.asText();
    }
}
