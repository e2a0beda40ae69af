package dev.cordon.sandbox.macos.internal;

import java.text.Normalizer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes a path as a Seatbelt {@code regex} filter that also matches the path's case and Unicode
 * normalisation variants.
 *
 * <p>APFS and HFS+ volumes are case-insensitive by default and normalisation-insensitive: {@code ~/.SSH}
 * and {@code ~/.ssh} open the same directory, and so do a name in NFC and in NFD. Seatbelt compares the
 * path of the access as bytes, so a {@code literal} or {@code subpath} rule for one spelling does not
 * stop another (issue 17). The regex names every spelling: an ASCII letter becomes {@code [sS]}; a
 * non-ASCII character with other case forms (that fold back to it) or normalisation forms becomes an
 * alternation of them (never a
 * bracket expression, which a byte-oriented engine would read byte by byte); regex metacharacters are
 * escaped with a backslash. The result is anchored at both ends.
 *
 * <p>On a case-sensitive volume the regex also denies spellings that name other files; for hidden
 * paths that is the safe side.
 */
final class SbplRegex {
    private static final String METACHARACTERS = ".[](){}*+?|^$\\";

    private SbplRegex() {
    }

    /**
     * {@return the regex (not yet an SBPL string literal) matching the path in any case and normalisation}
     *
     * @param path an absolute path
     * @param orBelow whether what lies below the path matches too (a {@code subpath}-like regex)
     */
    static String anySpelling(String path, boolean orBelow) {
        StringBuilder out = new StringBuilder("^");
        Normalizer.normalize(path, Normalizer.Form.NFC).codePoints().forEach(c -> out.append(spellings(c)));
        return out.append(orBelow ? "(/.*)?$" : "$").toString();
    }

    private static String spellings(int c) {
        if (c < 0x80) {
            if (Character.isLetter(c)) {
                return "[" + Character.toString(Character.toLowerCase(c)) + Character.toString(Character.toUpperCase(c))
                        + "]";
            }
            String text = Character.toString(c);
            return METACHARACTERS.indexOf(c) >= 0 ? "\\" + text : text;
        }
        // A character's case class: its lower case and that letter's upper and title case, when the character
        // is one of them (dotless ı upper-cases to I, but I lower-cases to i: ı is a class of its own).
        int lower = Character.toLowerCase(c);
        Set<Integer> caseClass = new LinkedHashSet<>(List.of(c, lower, Character.toUpperCase(lower),
                Character.toTitleCase(lower)));
        if (c != lower && c != Character.toUpperCase(lower) && c != Character.toTitleCase(lower)) {
            caseClass = Set.of(c);
        }
        Set<String> variants = new LinkedHashSet<>();
        for (int form : caseClass) {
            String text = Character.toString(form);
            variants.add(Normalizer.normalize(text, Normalizer.Form.NFC));
            variants.add(Normalizer.normalize(text, Normalizer.Form.NFD));
        }
        return variants.size() == 1 ? variants.iterator().next() : "(" + String.join("|", variants) + ")";
    }
}
