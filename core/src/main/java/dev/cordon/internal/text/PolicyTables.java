package dev.cordon.internal.text;

import dev.cordon.RunnerInvocation;
import dev.cordon.internal.policy.reading.KeyPath;

/**
 * The header of a crate's policy table, as every message that suggests policy lines writes it:
 * {@code [permissions.build.sqlx]}, or {@code [permissions.build.crates.env]} for a crate named like a key of
 * the section ({@code env}, {@code timeout}, {@code source}...), whose short form would be that key of every
 * crate's defaults. Core's explainers use this; backends use its public face, {@link
 * dev.cordon.Policies#tableHeader}. So a suggested line is one a policy reads back as that crate's table (issue 16).
 */
public final class PolicyTables {
    /** The section of build scripts' tables. */
    public static final String BUILD = "permissions.build";
    /** The section of proc macros' tables. */
    public static final String MACRO = "permissions.macro";
    /** The section of binaries', tests' and benches' tables. */
    public static final String RUN = "permissions.run";

    private PolicyTables() {
    }

    /**
     * {@return the header line of a crate's table, e.g. {@code [permissions.build.crates.env]}, without a newline}
     *
     * @param section the section's path, e.g. {@link #BUILD}, with a manifest's prefix in front if any
     * @param crate the crate's name
     */
    public static String header(String section, String crate) {
        return "[" + KeyPath.crateTable(section, crate) + "]";
    }

    /**
     * {@return the section whose crate tables decide a kind of call: {@link #RUN} for binaries, tests and benches,
     * {@link #MACRO} for proc macros, else {@link #BUILD}}
     *
     * @param kind the kind of call
     */
    public static String section(RunnerInvocation.Kind kind) {
        return switch (kind) {
            case RUN -> RUN;
            case MACRO -> MACRO;
            case BUILD_SCRIPT, OTHER -> BUILD;
        };
    }
}
