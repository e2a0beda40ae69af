package dev.cordon.internal.directives;

import java.util.List;
import java.util.Optional;

/**
 * The {@code directives.allow} entries of a crate's policy: each names one directive as
 * {@code KEY=VALUE} (what follows {@code cargo:} or {@code cargo::}, e.g. {@code rustc-link-arg=-fuse-ld=lld}).
 * An entry matches exactly, or, when it ends in {@code *}, every directive that starts with the text before
 * the star and whose rest has no {@code ..} path step (so {@code rustc-link-search=native=/opt/sdk/*} cannot
 * reach {@code /opt/sdk/../../home}).
 */
public final class DirectiveAllowList {
    private DirectiveAllowList() {
    }

    /**
     * {@return whether an entry allows the directive}
     *
     * @param entries the allow entries
     * @param directive the directive
     */
    public static boolean allows(List<String> entries, Directive directive) {
        String form = directive.policyForm();
        for (String entry : entries) {
            if (entry.endsWith("*")) {
                String prefix = entry.substring(0, entry.length() - 1);
                if (form.startsWith(prefix) && !hasDotDotStep(form.substring(prefix.length()))) {
                    return true;
                }
            } else if (entry.equals(form)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasDotDotStep(String rest) {
        return rest.equals("..") || rest.startsWith("../") || rest.contains("/../") || rest.endsWith("/..");
    }

    /**
     * Checks one entry as written in a policy.
     *
     * @param entry the entry
     * @return what is wrong with it, or empty
     */
    public static Optional<String> problem(String entry) {
        int eq = entry.indexOf('=');
        if (eq <= 0) {
            return Optional.of("is not KEY=VALUE");
        }
        String key = entry.substring(0, eq);
        if (!Directive.KEYS.contains(key)) {
            return Optional.of("names unknown directive '" + key + "'");
        }
        if (entry.indexOf('\n') >= 0 || entry.indexOf('\r') >= 0 || entry.indexOf('\0') >= 0) {
            return Optional.of("contains a line break or NUL");
        }
        int star = entry.indexOf('*');
        if (star >= 0 && star != entry.length() - 1) {
            return Optional.of("has a '*' before the end (only a trailing '*' is a wildcard)");
        }
        if (star == eq + 1) {
            return Optional.of("allows every value of '" + key + "'");
        }
        return Optional.empty();
    }
}
