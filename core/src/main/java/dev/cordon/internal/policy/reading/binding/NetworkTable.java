package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.constraints.Messages;
import dev.cordon.internal.policy.reading.constraints.OneOf;
import dev.cordon.internal.policy.reading.constraints.OnlyWithPermit;
import dev.cordon.internal.policy.reading.constraints.Route;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/** {@code network-access = { action = ..., routes = [...] }}. */
@OnlyWithPermit(key = "routes", message = "routes only go with action = \"permit\"" + Messages.FIX
        + "remove routes, or write action = \"permit\"")
public final class NetworkTable implements OnlyWithPermit.Table {
    /** {@code action}. */
    @NotNull(message = "is missing" + Messages.FIX + "add action = \"deny\" or action = \"permit\"")
    @OneOf(value = {"deny", "permit"}, message = "is not an action")
    public String action;

    /** {@code routes}, or null when not written (permit then means all network). */
    @Size(min = 1, message = "routes is empty" + Messages.FIX + "remove routes to permit all network, or list"
            + " host:port routes such as \"127.0.0.1:5432\"")
    public List<@Route String> routes;

    /** Created by Jackson. */
    public NetworkTable() {
    }

    @Override
    public String action() {
        return action;
    }

    @Override
    public boolean hasPermitOnlyKey() {
        return routes != null;
    }
}
