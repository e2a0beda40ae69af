package dev.cordon.internal.policy.reading;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds where a key path is written in TOML text: table headers, dotted keys, inline tables and arrays. It is
 * lenient: text it cannot follow simply yields fewer locations, and {@link #locate} falls back to the nearest
 * parent.
 *
 * <p>Why this is hand-written: jackson-dataformat-toml (2.20) parses the whole document into a tree before
 * data binding starts, and binding then reads that tree through a {@code TreeTraversingParser}, whose
 * {@code currentTokenLocation()} and {@code currentLocation()} are {@code JsonLocation.NA} for every token;
 * binding errors carry no location either (tried: streaming the tokens of {@code TomlMapper.createParser} and
 * reading a binding error's {@code getLocation()}, issue 16). Only syntax errors have a line and column.
 * So data binding gives the key path, and this gives its place in the text.
 */
public final class KeyLocator {
    private final String text;
    private final Map<String, int[]> positions = new HashMap<>();
    private int pos;
    private int line = 1;
    private int lineStart;

    private KeyLocator(String text) {
        this.text = text;
    }

    /**
     * Scans TOML text.
     *
     * @param text the policy
     * @return the locator
     */
    public static KeyLocator scan(String text) {
        KeyLocator locator = new KeyLocator(text);
        try {
            locator.document();
        } catch (RuntimeException e) {
            // Malformed text: keep what was found so far.
        }
        return locator;
    }

    /**
     * {@return the 1-based line and column of a key path, or of its nearest located parent, or
     * {0, 0}}
     *
     * @param keyPath a path as {@link KeyPath} writes them
     */
    public int[] locate(String keyPath) {
        String path = keyPath;
        while (!path.isEmpty()) {
            int[] found = positions.get(path);
            if (found != null) {
                return found.clone();
            }
            int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
            path = cut <= 0 ? "" : path.substring(0, cut);
        }
        return new int[] {0, 0};
    }

    /**
     * {@return the first place, in text order, where a key path or any key below it is written, else as
     * {@link #locate}} A table written only through its sub-tables ({@code [a.b.c]} for {@code a.b}) has no
     * header of its own; this finds the first of them.
     *
     * @param keyPath a path as {@link KeyPath} writes them
     */
    public int[] locateFirstWithin(String keyPath) {
        int[] best = null;
        for (Map.Entry<String, int[]> e : positions.entrySet()) {
            String k = e.getKey();
            if (k.equals(keyPath) || k.startsWith(keyPath + ".") || k.startsWith(keyPath + "[")) {
                int[] at = e.getValue();
                if (best == null || at[0] < best[0] || (at[0] == best[0] && at[1] < best[1])) {
                    best = at;
                }
            }
        }
        return best == null ? locate(keyPath) : best.clone();
    }

    private void document() {
        String table = "";
        while (pos < text.length()) {
            skipBlank(true);
            if (pos >= text.length()) {
                break;
            }
            char c = text.charAt(pos);
            if (c == '[') {
                boolean array = pos + 1 < text.length() && text.charAt(pos + 1) == '[';
                pos += array ? 2 : 1;
                skipBlank(false);
                int[] at = here();
                table = keys("");
                record(table, at);
                skipToLineEnd();
            } else if (c == '#' || c == '\n') {
                skipToLineEnd();
            } else {
                int before = pos;
                keyValue(table);
                if (pos == before) {
                    pos++;
                }
                skipToLineEnd();
            }
        }
    }

    private void keyValue(String parent) {
        int[] at = here();
        String path = keys(parent);
        record(path, at);
        skipBlank(false);
        if (pos < text.length() && text.charAt(pos) == '=') {
            pos++;
            skipBlank(false);
            value(path);
        }
    }

    private String keys(String parent) {
        String path = parent;
        while (pos < text.length()) {
            skipBlank(false);
            String key = key();
            if (key == null) {
                break;
            }
            path = KeyPath.child(path, key);
            skipBlank(false);
            if (pos < text.length() && text.charAt(pos) == '.') {
                pos++;
            } else {
                break;
            }
        }
        return path;
    }

    private String key() {
        if (pos >= text.length()) {
            return null;
        }
        char c = text.charAt(pos);
        if (c == '"' || c == '\'') {
            return string();
        }
        int start = pos;
        while (pos < text.length() && isBareChar(text.charAt(pos))) {
            pos++;
        }
        return pos == start ? null : text.substring(start, pos);
    }

    private void value(String path) {
        if (pos >= text.length()) {
            return;
        }
        char c = text.charAt(pos);
        if (c == '{') {
            pos++;
            while (pos < text.length()) {
                skipBlank(true);
                if (pos >= text.length() || text.charAt(pos) == '}') {
                    pos++;
                    return;
                }
                if (text.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                int before = pos;
                keyValue(path);
                if (pos == before) {
                    pos++;
                }
            }
        } else if (c == '[') {
            pos++;
            int index = 0;
            while (pos < text.length()) {
                skipBlank(true);
                if (pos >= text.length() || text.charAt(pos) == ']') {
                    pos++;
                    return;
                }
                if (text.charAt(pos) == ',') {
                    pos++;
                    index++;
                    continue;
                }
                record(KeyPath.index(path, index), here());
                int before = pos;
                value(KeyPath.index(path, index));
                if (pos == before) {
                    pos++;
                }
            }
        } else if (c == '"' || c == '\'') {
            string();
        } else {
            while (pos < text.length() && ",]}\n#".indexOf(text.charAt(pos)) < 0) {
                pos++;
            }
        }
    }

    /** Reads a quoted string (basic, literal, or multi-line) and returns its text, escapes left as written. */
    private String string() {
        char quote = text.charAt(pos);
        boolean multi = text.startsWith(String.valueOf(quote).repeat(3), pos);
        String end = multi ? String.valueOf(quote).repeat(3) : String.valueOf(quote);
        pos += end.length();
        StringBuilder out = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (text.startsWith(end, pos)) {
                pos += end.length();
                return out.toString();
            }
            if (c == '\n') {
                if (!multi) {
                    return out.toString();
                }
                newline();
                out.append(c);
                continue;
            }
            if (c == '\\' && quote == '"' && pos + 1 < text.length()) {
                char next = text.charAt(pos + 1);
                out.append(next == '"' || next == '\\' ? next : c);
                if (next != '"' && next != '\\') {
                    out.append(next);
                }
                pos += 2;
                continue;
            }
            out.append(c);
            pos++;
        }
        return out.toString();
    }

    private void skipBlank(boolean newlines) {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '\n' && newlines) {
                newline();
            } else if (c == '#' && newlines) {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private void skipToLineEnd() {
        while (pos < text.length() && text.charAt(pos) != '\n') {
            pos++;
        }
        if (pos < text.length()) {
            newline();
        }
    }

    private void newline() {
        pos++;
        line++;
        lineStart = pos;
    }

    private int[] here() {
        return new int[] {line, pos - lineStart + 1};
    }

    private void record(String path, int[] at) {
        positions.putIfAbsent(path, at);
    }

    private static boolean isBareChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_';
    }

    /** {@return every located key path, for tests} */
    List<String> paths() {
        return new ArrayList<>(positions.keySet());
    }
}
