package dev.cordon.internal.policy.reading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.reading.binding.RulesTable;
import dev.cordon.internal.policy.reading.binding.SectionTable;
import dev.cordon.internal.policy.reading.constraints.Messages;
import dev.cordon.internal.text.Suggestions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Sorts the keys of a section that are not permission keys into crate tables and mistakes, and binds each
 * crate table. Hand-written because which one a key is depends on its value, not its name: a table under a
 * near miss of a permission key that holds that key's inner keys ({@code netwrok-access = { action = "deny" }})
 * is a typo, any other table is a crate; Jackson's any-setter only collects them.
 */
final class CrateTables {
    private static final Pattern CRATE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private CrateTables() {
    }

    /**
     * Binds a section's crate tables into {@link SectionTable#crateTables}, recording the keys that are none.
     *
     * @param section the bound section, or null when absent
     * @param path its key path, e.g. {@code permissions.build}
     * @param findings where problems go
     */
    static void bind(SectionTable section, String path, List<Finding> findings) {
        if (section == null) {
            return;
        }
        Map<String, String> normalised = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : section.others.entrySet()) {
            String key = e.getKey();
            String keyPath = KeyPath.child(path, key);
            if (PolicyKeys.SANDBOX.contains(key)) {
                findings.add(new Finding(keyPath, "'" + key + "' belongs in [sandbox], not in [" + path + "]",
                        "move it to the [sandbox] table"));
            } else if (!e.getValue().isObject() || looksLikeMisspeltRule(key, e.getValue())) {
                findings.add(BindingProblems.unknownKey(keyPath, key, PolicyKeys.RULES));
            } else {
                crateTable(section, path, key, key, e.getValue(), normalised, findings);
            }
        }
        // [permissions.build.crates.NAME]: a crate table for any name, also one that equals a key (env,
        // source, timeout...) or "crates" itself, which the short form cannot have.
        String cratesPath = KeyPath.child(path, PolicyKeys.CRATES);
        for (Map.Entry<String, JsonNode> c : section.crates.entrySet()) {
            String key = c.getKey();
            String keyPath = KeyPath.child(cratesPath, key);
            if (PolicyKeys.RULES.contains(key) && !isCrateTable(c.getValue())) {
                findings.add(new Finding(keyPath, "[" + cratesPath + "] holds crate tables, and '" + key + "' is a"
                        + " permission key", "for the crate named " + PolicyKeys.CRATES + " write [" + KeyPath.child(
                        cratesPath, PolicyKeys.CRATES) + "]; for defaults, put '" + key + "' in [" + path + "]"));
            } else if (!c.getValue().isObject()) {
                findings.add(new Finding(keyPath, "'" + key + "' in [" + cratesPath + "] must be a crate table, not "
                        + Messages.describe(TomlBinding.MAPPER.convertValue(c.getValue(), Object.class)), "write [" + keyPath
                        + "] with the crate's keys"));
            } else {
                crateTable(section, path, PolicyKeys.CRATES + "." + key, key, c.getValue(), normalised, findings);
            }
        }
    }

    private static void crateTable(SectionTable section, String path, String below, String name, JsonNode value,
            Map<String, String> normalised, List<Finding> findings) {
        String keyPath = below.startsWith(PolicyKeys.CRATES + ".") ? KeyPath.child(KeyPath.child(path,
                PolicyKeys.CRATES), name) : KeyPath.child(path, name);
        if (!CRATE_NAME.matcher(name).matches()) {
            findings.add(new Finding(keyPath, "crate table " + KeyPath.quote(name) + " is not a package name",
                    "use the crate's name as in CARGO_PKG_NAME: letters, digits, '-' and '_'"));
            return;
        }
        String other = normalised.putIfAbsent(PolicyModel.normalise(name), name);
        if (other != null) {
            findings.add(new Finding(keyPath, "crate table '" + name + "' names the same crate as '" + other + "'",
                    "merge the two tables: crate names match with '-' and '_' (and case) treated alike"));
            return;
        }
        RulesTable rules = TomlBinding.read(value, keyPath, RulesTable.class, findings);
        if (rules != null) {
            section.crateTables.put(below, rules);
        }
    }

    /** A table whose keys are all permission keys: a crate's, not the value of a permission key. */
    private static boolean isCrateTable(JsonNode value) {
        if (!value.isObject()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!PolicyKeys.RULES.contains(e.getKey())) {
                return false;
            }
        }
        return true;
    }

    /** A table under a near miss of a permission key, holding that key's inner keys: a typo, not a crate. */
    private static boolean looksLikeMisspeltRule(String key, JsonNode value) {
        List<String> inner = Suggestions.nearest(key, PolicyKeys.RULES).map(k -> PolicyKeys.INNER.getOrDefault(k,
                List.of())).orElse(List.of());
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (inner.contains(e.getKey()) && !PolicyKeys.RULES.contains(e.getKey())) {
                return true;
            }
        }
        return false;
    }
}
