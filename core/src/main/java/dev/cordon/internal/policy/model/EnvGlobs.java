package dev.cordon.internal.policy.model;

import java.util.List;

/** Environment-variable name patterns: {@code *} matches any run of characters, nothing else is special. */
public final class EnvGlobs {
    private EnvGlobs() {
    }

    /**
     * {@return true when a name matches a pattern}
     *
     * @param pattern a name, or a glob with {@code *}
     * @param name a variable name
     */
    public static boolean matches(String pattern, String name) {
        return matches(pattern, 0, name, 0);
    }

    /**
     * {@return true when a name matches any of the patterns}
     *
     * @param patterns globs
     * @param name a variable name
     */
    public static boolean matchesAny(List<String> patterns, String name) {
        for (String p : patterns) {
            if (matches(p, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String p, int pi, String s, int si) {
        // Iterative with one backtrack point: linear enough for the short names involved.
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = si;
            } else if (pi < p.length() && p.charAt(pi) == s.charAt(si)) {
                pi++;
                si++;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }
}
