package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.constraints.Directive;
import java.util.ArrayList;
import java.util.List;

/** {@code directives = { allow = [...] }}. */
public final class DirectivesTable {
    /** {@code allow}. */
    public List<@Directive String> allow = new ArrayList<>();

    /** Created by Jackson. */
    public DirectivesTable() {
    }
}
