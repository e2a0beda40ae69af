package dev.cordon.sandbox.bwrap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class BwrapInstallationTest {
    private static final Path BWRAP = Path.of("/usr/bin/bwrap");

    @Test
    void of_readsVersionAndFeatures() {
        BwrapInstallation debian12 = BwrapInstallation.of(BWRAP, "bubblewrap 0.8.0\n");
        assertEquals("0.8", debian12.version());
        assertTrue(debian12.canDisableUserNamespaces());
        assertFalse(debian12.canOverlay());
        assertTrue(BwrapInstallation.of(BWRAP, "bubblewrap 0.11.0").canOverlay());
        assertFalse(BwrapInstallation.of(BWRAP, "bubblewrap 0.6.1").canDisableUserNamespaces());
        assertTrue(BwrapInstallation.of(BWRAP, "bubblewrap 1.0").canDisableUserNamespaces());
    }

    @Test
    void of_unreadableVersionEnablesNothing() {
        assertEquals("0.0", BwrapInstallation.of(BWRAP, "garbage").version());
    }

    @Test
    void of_takesTheFirstDottedPairAndSurvivesHugeNumbers() {
        assertEquals("2.7", BwrapInstallation.of(BWRAP, "build 12x 2.7.1 (0.9)").version());
        assertEquals("0.0", BwrapInstallation.of(BWRAP, "bubblewrap 99999999999999.1").version());
        assertEquals("0.0", BwrapInstallation.of(BWRAP, "bubblewrap 1. 2").version());
        assertEquals("0.0", BwrapInstallation.of(BWRAP, "").version());
    }

    /** The hand-written reader agrees with the regular expression {@code (\d+)\.(\d+)} it replaced. */
    @Property
    void of_readsWhatTheRegexReads(@ForAll @NumericChars @Chars({'.', ' ', 'v', '-'}) @StringLength(max = 16) String text) {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(text);
        String expected = "0.0";
        if (m.find() && m.group(1).length() < 9 && m.group(2).length() < 9) {
            expected = Integer.parseInt(m.group(1)) + "." + Integer.parseInt(m.group(2));
        }
        if (m.find(0) && (m.group(1).length() >= 9 || m.group(2).length() >= 9)) {
            return; // the regex version threw on numbers this long; the reader says 0.0 instead
        }
        assertEquals(expected, BwrapInstallation.of(BWRAP, text).version(), text);
    }
}
