package dev.cordon.internal.policy.reading.binding;

import jakarta.validation.Valid;

/**
 * A policy as written, bound from TOML by Jackson and checked by Jakarta Validation before it becomes a
 * {@link dev.cordon.internal.policy.model.PolicyModel}. Fields are named so that Jackson's kebab-case naming
 * gives the TOML keys; a field is null when its key is absent (TOML has no null).
 */
public final class PolicyFile {
    /** {@code [sandbox]}, or null. */
    @Valid
    public SandboxTable sandbox;

    /** {@code [permissions]}, or null. */
    @Valid
    public PermissionsTable permissions;

    /** Created by Jackson. */
    public PolicyFile() {
    }
}
