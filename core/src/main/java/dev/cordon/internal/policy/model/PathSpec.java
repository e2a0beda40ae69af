package dev.cordon.internal.policy.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A path as a policy states it, after validation: either absolute, or relative to a variable whose
 * value only an invocation knows ({@code $OUT_DIR/gen}).
 *
 * @param variable the variable name without {@code $} (one of {@link #INVOCATION_VARIABLES}), or empty
 *     for an absolute path; never null
 * @param rest the normalised path: absolute when {@code variable} is empty, else relative to the
 *     variable's value and never climbing above it ({@code ""} stands for the value itself); never null
 */
public record PathSpec(String variable, String rest) {

    /** Variables resolved per invocation. */
    public static final List<String> INVOCATION_VARIABLES = List.of("OUT_DIR", "CARGO_MANIFEST_DIR", "HOME",
            "TMPDIR", "TARGET_DIR", "WORKSPACE_ROOT");

    /** Every variable a policy path may start with. */
    public static final List<String> ALL_VARIABLES = List.of("OUT_DIR", "CARGO_MANIFEST_DIR", "HOME", "TMPDIR",
            "TARGET_DIR", "WORKSPACE_ROOT", "POLICY_DIR");

    /** Checks the components. */
    public PathSpec {
        Objects.requireNonNull(variable, "variable");
        Objects.requireNonNull(rest, "rest");
    }

    /**
     * Resolves the path for one invocation.
     *
     * @param values the variables' values for the invocation; a missing one drops the rule
     * @return the absolute path, or empty when its variable has no value for this invocation
     */
    public Optional<Path> resolve(Map<String, Path> values) {
        if (variable.isEmpty()) {
            return Optional.of(Path.of(rest));
        }
        Path base = values.get(variable);
        if (base == null) {
            return Optional.empty();
        }
        return Optional.of(rest.isEmpty() ? base : base.resolve(rest).normalize());
    }

    /** {@return the path as a policy writes it: {@code /abs} or {@code $VAR/rest}} */
    public String text() {
        if (variable.isEmpty()) {
            return rest;
        }
        return rest.isEmpty() ? "$" + variable : "$" + variable + "/" + rest;
    }

    /**
     * Parses a checked path (see {@code @PolicyPath} in the reading package).
     *
     * @param text the path as written, valid for {@code @PolicyPath}
     * @param policyDir the policy file's folder, for relative paths and {@code $POLICY_DIR}
     * @return the path; never null
     */
    public static PathSpec parse(String text, Path policyDir) {
        Parts parts = split(text);
        if (parts.variable() == null) {
            if (text.startsWith("/")) {
                return new PathSpec("", trimSlashes(text));
            }
            return new PathSpec("", policyDir.resolve(parts.rest()).normalize().toString());
        }
        if (parts.variable().equals("POLICY_DIR")) {
            return new PathSpec("", policyDir.resolve(parts.rest()).normalize().toString());
        }
        return new PathSpec(parts.variable(), Path.of(parts.rest()).normalize().toString());
    }

    /**
     * A path split into its leading variable (null when none) and the rest after the separator.
     *
     * @param variable the variable's name, or null
     * @param rest what follows it
     */
    public record Parts(String variable, String rest) {
    }

    /**
     * Splits {@code $VAR/rest} or {@code ${VAR}/rest}.
     *
     * @param text a path
     * @return the parts; variable is null when the path has none, and {@code "?"}-prefixed text when the
     *     variable syntax is broken
     */
    public static Parts split(String text) {
        if (!text.startsWith("$")) {
            return new Parts(null, text);
        }
        int end;
        String name;
        if (text.startsWith("${")) {
            int close = text.indexOf('}');
            if (close < 0) {
                return new Parts("?" + text, "");
            }
            name = text.substring(2, close);
            end = close + 1;
        } else {
            end = 1;
            while (end < text.length() && text.charAt(end) != '/') {
                end++;
            }
            name = text.substring(1, end);
        }
        if (end < text.length() && text.charAt(end) != '/') {
            return new Parts("?" + text, "");
        }
        String rest = end >= text.length() ? "" : text.substring(end + 1);
        return new Parts(name, rest);
    }

    /**
     * {@return the text without trailing slashes (a lone "/" stays)}
     *
     * @param text a path
     */
    public static String trimSlashes(String text) {
        String t = text;
        while (t.length() > 1 && t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }
}
