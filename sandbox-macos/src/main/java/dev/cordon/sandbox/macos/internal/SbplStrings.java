package dev.cordon.sandbox.macos.internal;

import dev.cordon.ExitCodes;
import dev.cordon.SandboxException;

/**
 * Writes Java strings as SBPL string literals.
 *
 * <p>SBPL is read by a TinyScheme-derived reader: a string literal is delimited by {@code "}, and inside
 * it a backslash escapes the next character. So {@code "} becomes {@code \"} and {@code \} becomes
 * {@code \\}; every other printable character, including parentheses, semicolons, spaces and any
 * non-ASCII character, stands for itself (the profile file is UTF-8 and Seatbelt compares paths as
 * UTF-8 bytes).
 *
 * <p>Control characters (U+0000 to U+001F and U+007F) are refused rather than escaped: the reader's
 * escape sequences for them ({@code \n}, {@code \x..}) are not documented by Apple, a NUL cannot be part
 * of a path the kernel checks anyway, and a path with a newline is far more likely an attack than a
 * real directory. Unpaired UTF-16 surrogates are refused because they have no UTF-8 form.
 */
final class SbplStrings {
    private SbplStrings() {
    }

    /**
     * Quotes a value as an SBPL string literal.
     *
     * @param value the text, e.g. a path
     * @param what what the value is, for the error message, e.g. {@code "hidden path"}
     * @return the literal, with its surrounding quotes; never null
     * @throws SandboxException with {@link ExitCodes#UNENFORCEABLE} when the value holds a control
     *     character or an unpaired surrogate
     */
    static String quote(String value, String what) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw refused(value, what, String.format("control character U+%04X at index %d", (int) c, i));
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                out.append(c).append(value.charAt(++i));
                continue;
            }
            if (Character.isSurrogate(c)) {
                throw refused(value, what, String.format("unpaired surrogate U+%04X at index %d", (int) c, i));
            }
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }

    private static SandboxException refused(String value, String what, String problem) {
        return new SandboxException(what + " '" + printable(value) + "' cannot be written into a Seatbelt"
                + " profile: it contains a " + problem + ". Rename the path or leave it out of the policy.",
                ExitCodes.UNENFORCEABLE);
    }

    /** Shows control characters as {@code \\uXXXX} so the message itself stays on one line. */
    static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
                out.append(String.format("\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
