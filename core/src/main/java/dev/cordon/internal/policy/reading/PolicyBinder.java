package dev.cordon.internal.policy.reading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.Rules;
import dev.cordon.internal.policy.reading.binding.Binding;
import dev.cordon.internal.policy.reading.binding.DirectivesBinding;
import dev.cordon.internal.policy.reading.binding.LimitsBinding;
import dev.cordon.internal.policy.reading.binding.EnvBinding;
import dev.cordon.internal.policy.reading.binding.FilesystemBinding;
import dev.cordon.internal.policy.reading.binding.NetworkBinding;
import dev.cordon.internal.policy.reading.binding.RulesBinding;
import dev.cordon.internal.policy.reading.binding.SandboxBinding;
import dev.cordon.internal.policy.reading.binding.SyscallsBinding;
import dev.cordon.internal.text.Suggestions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Walks the TOML tree of a policy file into bindings, recording every shape problem: unknown keys (with
 * the nearest known key), wrong types, keys in the wrong table, clashing crate names.
 */
final class PolicyBinder {
    static final List<String> TOP_KEYS = List.of("sandbox", "permissions");
    static final List<String> SANDBOX_KEYS = List.of("backend", "layers");
    static final List<String> SECTIONS = List.of("build", "macro", "run");
    static final List<String> RULE_KEYS = List.of("network-access", "filesystem-access", "env", "timeout",
            "idle-timeout", "source", "live-log", "syscalls", "directives", "limits");
    private static final Map<String, List<String>> INNER_KEYS = Map.of("network-access", List.of("action", "routes"),
            "filesystem-access", List.of("action", "paths", "read", "hide"), "env", List.of("pass", "drop", "set"),
            "syscalls", List.of("profile", "deny", "allow"), "directives", List.of("allow"), "limits",
            Rules.LIMIT_KEYS);
    private static final Pattern CRATE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** A section's bindings: its own keys and its crates, by name as written. */
    record SectionBinding(RulesBinding defaults, Map<String, RulesBinding> crates) {
    }

    final TomlTree tree = new TomlTree();
    final List<Binding> bindings = new ArrayList<>();
    SandboxBinding sandbox;
    final Map<String, SectionBinding> sections = new LinkedHashMap<>();

    void bind(JsonNode root) {
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(root)) {
            switch (e.getKey()) {
                case "sandbox" -> sandbox(e.getValue());
                case "permissions" -> permissions(e.getValue());
                default -> tree.unknownKey(KeyPath.child("", e.getKey()), e.getKey(), TOP_KEYS);
            }
        }
    }

    private void sandbox(JsonNode node) {
        if (!tree.isTable(node, "sandbox", "[sandbox] with backend = \"auto\"")) {
            return;
        }
        sandbox = new SandboxBinding("sandbox");
        bindings.add(sandbox);
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(node)) {
            String path = KeyPath.child("sandbox", e.getKey());
            switch (e.getKey()) {
                case "backend" -> sandbox.backend = tree.string(e.getValue(), path);
                case "layers" -> tree.strings(e.getValue(), path, sandbox.layers);
                default -> tree.unknownKey(path, e.getKey(), SANDBOX_KEYS);
            }
        }
    }

    private void permissions(JsonNode node) {
        if (!tree.isTable(node, "permissions", "[permissions.build]")) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(node)) {
            String path = KeyPath.child("permissions", e.getKey());
            if (!SECTIONS.contains(e.getKey())) {
                tree.unknownKey(path, e.getKey(), SECTIONS);
            } else if (tree.isTable(e.getValue(), path, "[" + path + "]")) {
                sections.put(e.getKey(), section(e.getValue(), path));
            }
        }
    }

    private SectionBinding section(JsonNode node, String path) {
        RulesBinding defaults = new RulesBinding(path);
        bindings.add(defaults);
        Map<String, RulesBinding> crates = new LinkedHashMap<>();
        Map<String, String> normalised = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(node)) {
            String key = e.getKey();
            String keyPath = KeyPath.child(path, key);
            JsonNode value = e.getValue();
            if (RULE_KEYS.contains(key)) {
                rule(defaults, key, value, keyPath);
            } else if (key.equals(CRATES)) {
                // [permissions.build.crates.NAME]: a crate table for any name, also one that equals a key
                // (env, source, timeout...) or "crates" itself, which the short form cannot have.
                if (tree.isTable(value, keyPath, "[" + keyPath + ".env] for the crate named env")) {
                    for (Map.Entry<String, JsonNode> c : TomlTree.entries(value)) {
                        String cratePath = KeyPath.child(keyPath, c.getKey());
                        if (RULE_KEYS.contains(c.getKey()) && !isCrateTable(c.getValue())) {
                            tree.add(cratePath, "[" + keyPath + "] holds crate tables, and '" + c.getKey() + "' is a"
                                    + " permission key", "for the crate named " + CRATES + " write [" + KeyPath.child(
                                    keyPath, CRATES) + "]; for defaults, put '" + c.getKey() + "' in [" + path + "]");
                        } else if (!c.getValue().isObject()) {
                            tree.add(cratePath, "'" + c.getKey() + "' in [" + keyPath + "] must be a crate table, not "
                                    + TomlTree.describe(c.getValue()), "write [" + cratePath + "] with the crate's keys");
                        } else {
                            crateTable(c.getKey(), c.getValue(), cratePath, normalised, crates);
                        }
                    }
                }
            } else if (SANDBOX_KEYS.contains(key)) {
                tree.add(keyPath, "'" + key + "' belongs in [sandbox], not in [" + path + "]",
                        "move it to the [sandbox] table");
            } else if (!value.isObject() || looksLikeMisspeltRule(key, value)) {
                tree.unknownKey(keyPath, key, RULE_KEYS);
            } else {
                crateTable(key, value, keyPath, normalised, crates);
            }
        }
        return new SectionBinding(defaults, crates);
    }

    /** The key under which a crate table may have any name: {@code [permissions.build.crates.env]}. */
    static final String CRATES = "crates";

    private void crateTable(String key, JsonNode value, String keyPath, Map<String, String> normalised,
            Map<String, RulesBinding> crates) {
        if (!CRATE_NAME.matcher(key).matches()) {
            tree.add(keyPath, "crate table " + KeyPath.quote(key) + " is not a package name",
                    "use the crate's name as in CARGO_PKG_NAME: letters, digits, '-' and '_'");
            return;
        }
        String other = normalised.putIfAbsent(PolicyModel.normalise(key), key);
        if (other != null) {
            tree.add(keyPath, "crate table '" + key + "' names the same crate as '" + other + "'",
                    "merge the two tables: crate names match with '-' and '_' (and case) treated alike");
            return;
        }
        crates.put(key, crate(value, keyPath));
    }

    /** A table whose keys are all permission keys: a crate's, not the value of a permission key. */
    private static boolean isCrateTable(JsonNode value) {
        if (!value.isObject()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(value)) {
            if (!RULE_KEYS.contains(e.getKey())) {
                return false;
            }
        }
        return true;
    }

    private static boolean looksLikeMisspeltRule(String key, JsonNode value) {
        if (Suggestions.nearest(key, RULE_KEYS).isEmpty()) {
            return false;
        }
        List<String> inner = INNER_KEYS.getOrDefault(Suggestions.nearest(key, RULE_KEYS).get(), List.of());
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(value)) {
            if (inner.contains(e.getKey()) && !RULE_KEYS.contains(e.getKey())) {
                return true;
            }
        }
        return false;
    }

    private RulesBinding crate(JsonNode node, String path) {
        RulesBinding rules = new RulesBinding(path);
        bindings.add(rules);
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(node)) {
            String key = e.getKey();
            String keyPath = KeyPath.child(path, key);
            if (RULE_KEYS.contains(key)) {
                rule(rules, key, e.getValue(), keyPath);
            } else if (SANDBOX_KEYS.contains(key)) {
                tree.add(keyPath, "'" + key + "' is a [sandbox] key; it cannot be set per crate",
                        "move it to the [sandbox] table, which applies to every crate");
            } else if (e.getValue().isObject() && Suggestions.nearest(key, RULE_KEYS).isEmpty()) {
                tree.add(keyPath, "unknown table '" + key + "' inside crate table [" + path + "]",
                        "crate tables do not nest; known keys here: " + String.join(", ", RULE_KEYS));
            } else {
                tree.unknownKey(keyPath, key, RULE_KEYS);
            }
        }
        return rules;
    }

    private void rule(RulesBinding rules, String key, JsonNode value, String path) {
        switch (key) {
            case "network-access" -> rules.network = network(value, path);
            case "filesystem-access" -> rules.filesystem = filesystem(value, path);
            case "env" -> rules.env = env(value, path);
            case "timeout" -> rules.timeout = tree.duration(value, path);
            case "idle-timeout" -> rules.idleTimeout = tree.duration(value, path);
            case "source" -> rules.source = tree.string(value, path);
            case "live-log" -> rules.liveLog = tree.string(value, path);
            case "syscalls" -> rules.syscalls = syscalls(value, path);
            case "directives" -> rules.directives = directives(value, path);
            case "limits" -> rules.limits = limits(value, path);
            default -> throw new IllegalStateException("rule key " + key);
        }
    }

    private NetworkBinding network(JsonNode node, String path) {
        if (!tree.isTable(node, path, "network-access = { action = \"deny\" }")) {
            return null;
        }
        NetworkBinding b = new NetworkBinding(path);
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(node)) {
            String keyPath = KeyPath.child(path, e.getKey());
            switch (e.getKey()) {
                case "action" -> b.action = tree.string(e.getValue(), keyPath);
                case "routes" -> {
                    b.routes = new ArrayList<>();
                    tree.strings(e.getValue(), keyPath, b.routes);
                    if (e.getValue().isArray() && e.getValue().isEmpty()) {
                        tree.add(keyPath, "routes is empty", "remove routes to permit all network, or list"
                                + " host:port routes such as \"127.0.0.1:5432\"");
                    }
                }
                default -> tree.unknownKey(keyPath, e.getKey(), INNER_KEYS.get("network-access"));
            }
        }
        if ("deny".equals(b.action) && b.routes != null) {
            tree.add(KeyPath.child(path, "routes"), "routes only go with action = \"permit\"",
                    "remove routes, or write action = \"permit\"");
        }
        if (b.action == null && !node.has("action")) {
            // Missing action is reported by validation; a wrongly typed one already was.
            bindings.add(b);
        } else if (b.action != null) {
            bindings.add(b);
        }
        return b;
    }

    private FilesystemBinding filesystem(JsonNode node, String path) {
        if (!tree.isTable(node, path, "filesystem-access = { action = \"permit\", paths = [\"$OUT_DIR\"] }")) {
            return null;
        }
        FilesystemBinding b = new FilesystemBinding(path);
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(node)) {
            String keyPath = KeyPath.child(path, e.getKey());
            switch (e.getKey()) {
                case "action" -> b.action = tree.string(e.getValue(), keyPath);
                case "paths" -> tree.strings(e.getValue(), keyPath, b.paths);
                case "read" -> tree.strings(e.getValue(), keyPath, b.read);
                case "hide" -> tree.strings(e.getValue(), keyPath, b.hide);
                default -> tree.unknownKey(keyPath, e.getKey(), INNER_KEYS.get("filesystem-access"));
            }
        }
        if ("deny".equals(b.action) && node.has("read")) {
            tree.add(KeyPath.child(path, "read"), "read only goes with action = \"permit\"",
                    "write action = \"permit\" with read = [...], and hide = [...] for the hidden paths");
        }
        if (b.action != null || !node.has("action")) {
            bindings.add(b);
        }
        return b;
    }

    private EnvBinding env(JsonNode node, String path) {
        if (!tree.isTable(node, path, "env = { pass = [\"CC_*\"] }")) {
            return null;
        }
        EnvBinding b = new EnvBinding(path);
        bindings.add(b);
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(node)) {
            String keyPath = KeyPath.child(path, e.getKey());
            switch (e.getKey()) {
                case "pass" -> tree.strings(e.getValue(), keyPath, b.pass);
                case "drop" -> tree.strings(e.getValue(), keyPath, b.drop);
                case "set" -> {
                    if (tree.isTable(e.getValue(), keyPath, "set = { SOURCE_DATE_EPOCH = \"0\" }")) {
                        for (Map.Entry<String, JsonNode> v : TomlTree.entries(e.getValue())) {
                            String value = tree.string(v.getValue(), KeyPath.child(keyPath, v.getKey()));
                            if (value != null) {
                                b.set.put(v.getKey(), value);
                            }
                        }
                    }
                }
                default -> tree.unknownKey(keyPath, e.getKey(), INNER_KEYS.get("env"));
            }
        }
        return b;
    }

    private SyscallsBinding syscalls(JsonNode node, String path) {
        if (!tree.isTable(node, path, "syscalls = { profile = \"default\", deny = [\"keyctl\"] }")) {
            return null;
        }
        SyscallsBinding b = new SyscallsBinding(path);
        bindings.add(b);
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(node)) {
            String keyPath = KeyPath.child(path, e.getKey());
            switch (e.getKey()) {
                case "profile" -> b.profile = tree.string(e.getValue(), keyPath);
                case "deny" -> tree.strings(e.getValue(), keyPath, b.deny);
                case "allow" -> tree.strings(e.getValue(), keyPath, b.allow);
                default -> tree.unknownKey(keyPath, e.getKey(), INNER_KEYS.get("syscalls"));
            }
        }
        return b;
    }

    private DirectivesBinding directives(JsonNode node, String path) {
        if (!tree.isTable(node, path, "directives = { allow = [\"rustc-link-arg=-fuse-ld=lld\"] }")) {
            return null;
        }
        DirectivesBinding b = new DirectivesBinding(path);
        bindings.add(b);
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(node)) {
            String keyPath = KeyPath.child(path, e.getKey());
            if (e.getKey().equals("allow")) {
                tree.strings(e.getValue(), keyPath, b.allow);
            } else {
                tree.unknownKey(keyPath, e.getKey(), INNER_KEYS.get("directives"));
            }
        }
        return b;
    }

    private LimitsBinding limits(JsonNode node, String path) {
        if (!tree.isTable(node, path, "limits = { processes = 256, memory = \"2GiB\" }")) {
            return null;
        }
        LimitsBinding b = new LimitsBinding(path);
        bindings.add(b);
        for (Map.Entry<String, JsonNode> e : TomlTree.entries(node)) {
            String keyPath = KeyPath.child(path, e.getKey());
            switch (e.getKey()) {
                case "processes" -> b.processes = tree.limit(e.getValue(), keyPath);
                case "memory" -> b.memory = tree.limit(e.getValue(), keyPath);
                case "open-files" -> b.openFiles = tree.limit(e.getValue(), keyPath);
                case "output" -> b.output = tree.limit(e.getValue(), keyPath);
                default -> tree.unknownKey(keyPath, e.getKey(), Rules.LIMIT_KEYS);
            }
        }
        return b;
    }

    /** {@return the names of the sections present} */
    Set<String> sectionNames() {
        return sections.keySet();
    }
}
