package dev.cordon.internal.text;

/** The shape of the ids a policy names: backends, syscall profiles. */
public final class Identifiers {
    private Identifiers() {
    }

    /**
     * {@return whether {@code id} is lower-case letters, digits and {@code '-'}, not empty and not starting
     * with {@code '-'}} A plain loop, not a regular expression: every grant a policy decides checks some.
     *
     * @param id the text
     */
    public static boolean isId(String id) {
        if (id.isEmpty() || id.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
