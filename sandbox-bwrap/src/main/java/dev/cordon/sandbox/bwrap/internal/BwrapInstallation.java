package dev.cordon.sandbox.bwrap.internal;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code bwrap} executable and the version it reported, which decides the options a plan may use.
 *
 * @param executable the absolute path of {@code bwrap}; never null
 * @param major the major version
 * @param minor the minor version
 */
public record BwrapInstallation(Path executable, int major, int minor) {

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");

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
        Matcher m = VERSION.matcher(versionOutput);
        if (!m.find()) {
            return new BwrapInstallation(executable, 0, 0);
        }
        return new BwrapInstallation(executable, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
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
}
