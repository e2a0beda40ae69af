package dev.cordon.sandbox.bwrap.internal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One {@code bwrap} executable and the version it reported, which decides the options a plan may use.
 *
 * @param executable the absolute path of {@code bwrap}; never null
 * @param major the major version
 * @param minor the minor version
 */
public record BwrapInstallation(Path executable, int major, int minor) {

    /** Checks the components. */
    public BwrapInstallation {
        Objects.requireNonNull(executable, "executable");
    }

    /**
     * Reads {@code bwrap --version} output such as {@code bubblewrap 0.8.0}.
     *
     * @param executable the executable that printed it
     * @param versionOutput the output
     * @return the installation; an unreadable version counts as 0.0 (no optional features)
     */
    public static BwrapInstallation of(Path executable, String versionOutput) {
        // The first "digits.digits", read by hand: this runs on every cold start, and java.util.regex
        // would load a few dozen classes for it.
        String text = versionOutput;
        for (int i = 0; i < text.length(); i++) {
            int majorEnd = digitsEnd(text, i);
            if (majorEnd > i && majorEnd < text.length() && text.charAt(majorEnd) == '.') {
                int minorEnd = digitsEnd(text, majorEnd + 1);
                if (minorEnd > majorEnd + 1) {
                    try {
                        return new BwrapInstallation(executable, Integer.parseInt(text, i, majorEnd, 10),
                                Integer.parseInt(text, majorEnd + 1, minorEnd, 10));
                    } catch (NumberFormatException e) {
                        break; // absurdly long digits: unreadable
                    }
                }
            }
        }
        return new BwrapInstallation(executable, 0, 0);
    }

    /**
     * {@return true when this version is at least {@code major.minor}}
     *
     * @param wantedMajor the major version
     * @param wantedMinor the minor version
     */
    public boolean atLeast(int wantedMajor, int wantedMinor) {
        return major > wantedMajor || (major == wantedMajor && minor >= wantedMinor);
    }

    /** {@return true when {@code --disable-userns} exists (bubblewrap 0.8)} */
    public boolean canDisableUserNamespaces() {
        return atLeast(0, 8);
    }

    /** {@return true when {@code --tmp-overlay} exists (bubblewrap 0.9)} */
    public boolean canOverlay() {
        return atLeast(0, 9);
    }

    /** {@return the version as {@code major.minor}} */
    public String version() {
        return major + "." + minor;
    }

    private static int digitsEnd(String text, int from) {
        int end = from;
        while (end < text.length() && text.charAt(end) >= '0' && text.charAt(end) <= '9') {
            end++;
        }
        return end;
    }
}
