package dev.cordon.internal.policy.reading;

import dev.cordon.internal.policy.model.Rules;
import java.util.List;
import java.util.Map;

/**
 * The keys of a policy, as plain lists: for messages ("known keys here") and for telling a crate table from
 * a misspelt permission key. Free of the TOML and validation libraries, because {@link KeyPath#crateTable}
 * is used on the run path; {@code PolicyKeysTest} checks the lists against the binding classes.
 */
public final class PolicyKeys {
    /** The keys of {@code [sandbox]}. */
    public static final List<String> SANDBOX = List.of("backend", "layers");
    /** The sections of {@code [permissions]}. */
    public static final List<String> SECTIONS = List.of("build", "macro", "run");
    /** The permission keys of a section or a crate's table. */
    public static final List<String> RULES = List.of("network-access", "filesystem-access", "env", "timeout",
            "idle-timeout", "source", "live-log", "syscalls", "directives", "limits");
    /** The key under which a crate table may have any name: {@code [permissions.build.crates.env]}. */
    public static final String CRATES = "crates";
    /** The keys inside each permission key that is a table. */
    public static final Map<String, List<String>> INNER = Map.of("network-access", List.of("action", "routes"),
            "filesystem-access", List.of("action", "paths", "read", "hide"), "env", List.of("pass", "drop", "set"),
            "syscalls", List.of("profile", "deny", "allow"), "directives", List.of("allow"), "limits",
            Rules.LIMIT_KEYS);

    private PolicyKeys() {
    }
}
