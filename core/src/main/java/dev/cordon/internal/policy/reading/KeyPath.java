package dev.cordon.internal.policy.reading;

/** Key paths as messages show them: {@code permissions.build.sqlx.network-access.routes[0]}. */
public final class KeyPath {
    private KeyPath() {
    }

    /**
     * {@return a key path extended by one key; keys that are not bare TOML keys are quoted}
     *
     * @param parent the parent path, or empty
     * @param key a key
     */
    public static String child(String parent, String key) {
        String k = isBare(key) ? key : quote(key);
        return parent.isEmpty() ? k : parent + "." + k;
    }

    /**
     * {@return a key path extended by an array index}
     *
     * @param parent the array's path
     * @param index the element
     */
    public static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /**
     * {@return true when a key can be written without quotes}
     *
     * @param key a key
     */
    public static boolean isBare(String key) {
        if (key.isEmpty()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@return a TOML basic string with the text, escaped}
     *
     * @param text any text
     */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /**
     * {@return the header of a crate's table in a section, e.g. {@code permissions.build.sqlx}; a crate whose
     * name equals a key of the section ({@code env}, {@code timeout}...) or is {@code crates} gets the long
     * form {@code permissions.build.crates.env}}
     *
     * @param section the section's path, e.g. {@code permissions.build} (with a manifest's prefix, if any)
     * @param crate the crate's name
     */
    public static String crateTable(String section, String crate) {
        boolean clashes = PolicyKeys.RULES.contains(crate) || PolicyKeys.SANDBOX.contains(crate)
                || crate.equals(PolicyKeys.CRATES);
        return child(clashes ? section + "." + PolicyKeys.CRATES : section, crate);
    }
}
