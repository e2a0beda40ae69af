package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.ValueChecks.Kind;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/** {@code network-access = { action = ..., routes = [...] }}. */
public final class NetworkBinding extends Binding {
    /** {@code action}. */
    @NotNull(message = "is missing" + Checked.FIX + "add action = \"deny\" or action = \"permit\"")
    @Checked(Kind.ACTION)
    public String action;

    /** {@code routes}, or null when not given. */
    public List<@Checked(Kind.ROUTE) String> routes;

    /** @param keyPath where it is */
    public NetworkBinding(String keyPath) {
        super(keyPath);
    }

    /** {@return the routes given; never null} */
    public List<String> routesOrEmpty() {
        return routes == null ? new ArrayList<>() : routes;
    }
}
