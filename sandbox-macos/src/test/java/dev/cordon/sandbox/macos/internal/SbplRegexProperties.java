package dev.cordon.sandbox.macos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.text.Normalizer;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SbplRegexProperties {

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> part = Arbitraries.oneOf(Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1)
                .ofMaxLength(5), Arbitraries.of(".ssh", "a.b", "(x)", "[y]", "a+b?", "^$", "c\\d", "{1}", "x|y",
                "é", "Ärger", "日本", "🦀", "ı", "i", "I", "İ", "ß", "Ωmega", "my project", "*"));
        return part.list().ofMinSize(1).ofMaxSize(4).map(parts -> "/" + String.join("/", parts));
    }

    private static boolean matches(String regex, String path) {
        return Pattern.compile(regex, Pattern.DOTALL | Pattern.UNIX_LINES).matcher(path).find();
    }

    @Property(tries = 500)
    void anySpelling_matchesThePathInEveryCaseAndNormalisation(@ForAll("paths") String path) {
        String regex = SbplRegex.anySpelling(path, false);
        String upper = cased(path, true);
        String lower = cased(path, false);
        for (String spelling : List.of(path, upper, lower, Normalizer.normalize(path, Normalizer.Form.NFD),
                Normalizer.normalize(upper, Normalizer.Form.NFD))) {
            assertTrue(matches(regex, spelling), regex + " vs " + spelling);
        }
    }

    private static String cased(String path, boolean upper) {
        StringBuilder out = new StringBuilder();
        path.codePoints().forEach(cp -> out.appendCodePoint(ProfileProperties.caseVariant(cp, upper)));
        return out.toString();
    }

    @Property(tries = 500)
    void anySpelling_matchesNothingElse(@ForAll("paths") String path, @ForAll("paths") String other) {
        String regex = SbplRegex.anySpelling(path, true);
        String folded = ProfileProperties.fold(path);
        String otherFolded = ProfileProperties.fold(other);
        boolean same = otherFolded.equals(folded) || otherFolded.startsWith(folded + "/");
        assertEquals(same, matches(regex, other), regex + " vs " + other);
        assertFalse(matches(regex, path + "x"), "a sibling with a longer name");
        assertFalse(matches(SbplRegex.anySpelling(path, false), path + "/below"), "a literal regex matches below");
    }

    @Property(tries = 500)
    void anySpelling_survivesSbplQuotingUnchanged(@ForAll("paths") String path) {
        String regex = SbplRegex.anySpelling(path, true);
        assertEquals(regex, SbplReader.readString(SbplStrings.quote(regex, "hidden path")));
    }

    @Example
    void anySpelling_writesLettersAsClassesAndEscapesMetacharacters() {
        assertEquals("^/\\.[sS][sS][hH](/.*)?$", SbplRegex.anySpelling("/.ssh", true));
        assertEquals("^/(é|e\u0301|É|E\u0301)\\(1\\)$", SbplRegex.anySpelling("/e\u0301(1)", false));
    }
}
