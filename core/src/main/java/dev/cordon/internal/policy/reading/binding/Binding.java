package dev.cordon.internal.policy.reading.binding;

import java.util.Objects;

/**
 * A part of a policy file as read from TOML, before validation: plain fields carrying Jakarta
 * Validation constraints, plus the key path they were read from (so violations can name it).
 */
public abstract class Binding {
    /** Where this part is in the file, e.g. {@code permissions.build.sqlx.network-access}. */
    public final String keyPath;

    /**
     * Creates a binding.
     *
     * @param keyPath where it is in the file
     */
    protected Binding(String keyPath) {
        this.keyPath = Objects.requireNonNull(keyPath, "keyPath");
    }
}
