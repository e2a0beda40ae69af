package dev.cordon.sandbox.bwrap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
}
