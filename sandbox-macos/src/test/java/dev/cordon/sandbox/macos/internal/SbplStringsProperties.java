package dev.cordon.sandbox.macos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExitCodes;
import dev.cordon.SandboxException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SbplStringsProperties {

    /** Paths made of the characters that break naive quoting, plus ordinary and non-ASCII ones. */
    @Provide
    Arbitrary<String> hostilePaths() {
        Arbitrary<String> tricky = Arbitraries.of("\"", "\\", "(", ")", ";", " ", "#", "'", "|", "\\\"", "\"\\",
                "é", "日本", "🦀", "\u00a0", "\u0085", "\u2028", "\\x41", "\\n", "$HOME", "*", "?", "[", "]");
        Arbitrary<String> plain = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(6);
        Arbitrary<String> anyPrintable = Arbitraries.strings().all().ofMaxLength(4)
                .filter(SbplStringsProperties::isWellFormed);
        return Arbitraries.oneOf(tricky, plain, anyPrintable)
                .list().ofMinSize(1).ofMaxSize(8).map(parts -> "/" + String.join("", parts));
    }

    static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    @Property(tries = 2000)
    void quote_readsBackAsTheSameString(@ForAll("hostilePaths") String path) {
        String literal = SbplStrings.quote(path, "path");
        assertEquals(path, SbplReader.readString(literal), literal);
    }

    @Property(tries = 1000)
    void quote_staysOneFormInsideARule(@ForAll("hostilePaths") String path) {
        String rule = "(allow file-write* (subpath " + SbplStrings.quote(path, "path") + "))";
        List<Object> forms = SbplReader.readAll(rule);
        assertEquals(List.of(List.of(new SbplReader.Sym("allow"), new SbplReader.Sym("file-write*"),
                List.of(new SbplReader.Sym("subpath"), new SbplReader.Str(path)))), forms);
    }

    @Property(tries = 500)
    void quote_refusesControlCharacters(@ForAll("hostilePaths") String path,
            @ForAll("controls") char control, @ForAll("positions") double where) {
        int at = (int) (where * path.length());
        String bad = path.substring(0, at) + control + path.substring(at);
        if (at > 0 && Character.isHighSurrogate(path.charAt(at - 1))) {
            bad = path + control; // never split a surrogate pair
        }
        String input = bad;
        SandboxException e = assertThrows(SandboxException.class, () -> SbplStrings.quote(input, "hidden path"));
        assertEquals(ExitCodes.UNENFORCEABLE, e.exitCode());
        assertTrue(e.getMessage().startsWith("hidden path '"), e.getMessage());
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
        assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20), "message must stay on one line");
    }

    @Provide
    Arbitrary<Character> controls() {
        return Arbitraries.oneOf(Arbitraries.chars().range('\u0000', '\u001f'), Arbitraries.just('\u007f'));
    }

    @Provide
    Arbitrary<Double> positions() {
        return Arbitraries.doubles().between(0, 1);
    }

    @Example
    void quote_escapesQuoteAndBackslashOnly() {
        assertEquals("\"/a\\\"b\\\\c (d); é\"", SbplStrings.quote("/a\"b\\c (d); é", "path"));
    }

    @Example
    void quote_refusesUnpairedSurrogate() {
        SandboxException e = assertThrows(SandboxException.class,
                () -> SbplStrings.quote("/x\ud800y", "writable path"));
        assertTrue(e.getMessage().contains("unpaired surrogate U+D800"), e.getMessage());
    }
}
