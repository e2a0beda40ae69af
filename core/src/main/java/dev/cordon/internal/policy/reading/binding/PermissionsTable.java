package dev.cordon.internal.policy.reading.binding;

import jakarta.validation.Valid;

/** {@code [permissions]}: one section per kind of host program. */
public final class PermissionsTable {
    /** {@code [permissions.build]}, or null. */
    @Valid
    public SectionTable build;

    /** {@code [permissions.macro]}, or null. */
    @Valid
    public SectionTable macro;

    /** {@code [permissions.run]}, or null. */
    @Valid
    public SectionTable run;

    /** Created by Jackson. */
    public PermissionsTable() {
    }
}
