package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.ValueChecks.Kind;
import java.util.ArrayList;
import java.util.List;

/** {@code directives = { allow = [...] }}. */
public final class DirectivesBinding extends Binding {
    /** {@code allow}. */
    public final List<@Checked(Kind.DIRECTIVE) String> allow = new ArrayList<>();

    /** @param keyPath where it is */
    public DirectivesBinding(String keyPath) {
        super(keyPath);
    }
}
