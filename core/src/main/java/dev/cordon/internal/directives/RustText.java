package dev.cordon.internal.directives;

/**
 * Rust's notion of white space ({@code char::is_whitespace}, the Unicode {@code White_Space} property),
 * which Cargo uses to trim directive lines and to split {@code rustc-flags}. Java's
 * {@link Character#isWhitespace} differs (it excludes no-break spaces and includes U+001C..U+001F), and a
 * difference would let a line mean one thing to Cordon and another to Cargo.
 */
final class RustText {
    private RustText() {
    }

    static boolean isWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    static String trim(String s) {
        return trimEnd(trimStart(s));
    }

    static String trimStart(String s) {
        int i = 0;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (!isWhitespace(c)) {
                break;
            }
            i += Character.charCount(c);
        }
        return s.substring(i);
    }

    static String trimEnd(String s) {
        int end = s.length();
        while (end > 0) {
            int c = s.codePointBefore(end);
            if (!isWhitespace(c)) {
                break;
            }
            end -= Character.charCount(c);
        }
        return s.substring(0, end);
    }

    /** Splits on Rust white space, dropping empty pieces (Cargo's {@code rustc-flags} tokenizer). */
    static java.util.List<String> words(String s) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder word = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (isWhitespace(c)) {
                if (!word.isEmpty()) {
                    out.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.appendCodePoint(c);
            }
        });
        if (!word.isEmpty()) {
            out.add(word.toString());
        }
        return out;
    }
}
