package dev.cordon.internal.text;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * "Did you mean" suggestions by edit distance, the one helper for every message that names a near miss:
 * policy keys and values in core, syscall and profile names in the seccomp module (exported to it).
 */
public final class Suggestions {
    private Suggestions() {
    }

    /**
     * Finds the known word nearest to a wrong one, if it is near enough to be a likely typo.
     *
     * @param wrong what was written
     * @param known the words that would be right
     * @return the nearest known word, or empty
     */
    public static Optional<String> nearest(String wrong, Collection<String> known) {
        String w = wrong.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(w, k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        int limit = Math.max(2, w.length() / 3);
        return best != null && bestDistance <= limit ? Optional.of(best) : Optional.empty();
    }

    /**
     * {@return " (did you mean 'x'?)"-style text, or an empty string}
     *
     * @param wrong what was written
     * @param known the words that would be right
     */
    public static String didYouMean(String wrong, Collection<String> known) {
        return nearest(wrong, known).map(k -> "did you mean '" + k + "'?").orElse("");
    }

    /**
     * {@return the Damerau (optimal string alignment) edit distance}
     *
     * @param a one word
     * @param b another
     */
    static int distance(String a, String b) {
        if (a.length() > 200 || b.length() > 200) {
            return Integer.MAX_VALUE / 2;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
