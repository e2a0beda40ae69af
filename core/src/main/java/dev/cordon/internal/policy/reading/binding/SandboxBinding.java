package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.ValueChecks.Kind;
import java.util.ArrayList;
import java.util.List;

/** {@code [sandbox]}. */
public final class SandboxBinding extends Binding {
    /** {@code backend}, or null when not given. */
    @Checked(Kind.BACKEND)
    public String backend;

    /** {@code layers}. */
    public final List<@Checked(Kind.LAYER) String> layers = new ArrayList<>();

    /** @param keyPath where it is */
    public SandboxBinding(String keyPath) {
        super(keyPath);
    }
}
