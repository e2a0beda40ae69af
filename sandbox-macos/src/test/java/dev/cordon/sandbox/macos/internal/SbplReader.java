package dev.cordon.sandbox.macos.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A small, strict reader for the subset of SBPL (a Scheme dialect) Cordon writes: lists, symbols,
 * integers-as-symbols, string literals with backslash escapes, and {@code ;} comments to end of line.
 * It reads what a TinyScheme-style reader would and refuses anything unbalanced or unterminated, so a
 * profile it accepts is at least well-formed S-expressions.
 */
final class SbplReader {

    /** A symbol (or number), e.g. {@code allow}, {@code file-read*}, {@code 1}. */
    record Sym(String name) {
    }

    /** A string literal's value, escapes undone. */
    record Str(String value) {
    }

    /** Thrown for malformed input, with the offset. */
    static final class SyntaxError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message, int offset) {
            super(message + " at offset " + offset);
        }
    }

    private final String text;
    private int pos;

    private SbplReader(String text) {
        this.text = text;
    }

    /**
     * Reads every top-level form.
     *
     * @param text the profile
     * @return the forms: {@link Sym}, {@link Str} or {@code List<Object>}
     */
    static List<Object> readAll(String text) {
        SbplReader reader = new SbplReader(text);
        List<Object> forms = new ArrayList<>();
        while (true) {
            reader.skipBlank();
            if (reader.pos >= text.length()) {
                return forms;
            }
            forms.add(reader.readForm());
        }
    }

    /** {@return the one string literal {@code text} consists of} @param text a literal */
    static String readString(String text) {
        List<Object> forms = readAll(text);
        if (forms.size() != 1 || !(forms.getFirst() instanceof Str str)) {
            throw new SyntaxError("expected exactly one string literal, got " + forms, 0);
        }
        return str.value();
    }

    private void skipBlank() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ';') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    private Object readForm() {
        char c = text.charAt(pos);
        if (c == '(') {
            int start = pos++;
            List<Object> list = new ArrayList<>();
            while (true) {
                skipBlank();
                if (pos >= text.length()) {
                    throw new SyntaxError("unclosed '(' opened", start);
                }
                if (text.charAt(pos) == ')') {
                    pos++;
                    return list;
                }
                list.add(readForm());
            }
        }
        if (c == ')') {
            throw new SyntaxError("unexpected ')'", pos);
        }
        if (c == '"') {
            return readStringLiteral();
        }
        int start = pos;
        while (pos < text.length() && "() \t\r\n;\"".indexOf(text.charAt(pos)) < 0) {
            if (text.charAt(pos) < 0x20) {
                throw new SyntaxError("control character in symbol", pos);
            }
            pos++;
        }
        return new Sym(text.substring(start, pos));
    }

    private Str readStringLiteral() {
        int start = pos++;
        StringBuilder value = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new SyntaxError("unterminated string opened", start);
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return new Str(value.toString());
            }
            if (c == '\\') {
                if (pos >= text.length()) {
                    throw new SyntaxError("backslash at end of input", pos);
                }
                char escaped = text.charAt(pos++);
                switch (escaped) {
                    case '"', '\\' -> value.append(escaped);
                    case 'n' -> value.append('\n');
                    case 't' -> value.append('\t');
                    case 'r' -> value.append('\r');
                    default -> throw new SyntaxError("unknown escape \\" + escaped, pos - 2);
                }
            } else {
                value.append(c);
            }
        }
    }
}
