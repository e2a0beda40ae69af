package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.constraints.Messages;
import dev.cordon.internal.policy.reading.constraints.OneOf;
import dev.cordon.internal.policy.reading.constraints.OnlyWithPermit;
import dev.cordon.internal.policy.reading.constraints.PolicyPath;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/** {@code filesystem-access = { action = ..., paths = [...], read = [...], hide = [...] }}. */
@OnlyWithPermit(key = "read", message = "read only goes with action = \"permit\"" + Messages.FIX
        + "write action = \"permit\" with read = [...], and hide = [...] for the hidden paths")
public final class FilesystemTable implements OnlyWithPermit.Table {
    /** {@code action}. */
    @NotNull(message = "is missing" + Messages.FIX + "add action = \"permit\" or action = \"deny\"")
    @OneOf(value = {"deny", "permit"}, message = "is not an action")
    public String action;

    /** {@code paths}: writable for permit, hidden for deny. */
    public List<@PolicyPath String> paths = new ArrayList<>();

    /** {@code read}: kept readable; null when not written. */
    public List<@PolicyPath String> read;

    /** {@code hide}: hidden. */
    public List<@PolicyPath String> hide = new ArrayList<>();

    /** Created by Jackson. */
    public FilesystemTable() {
    }

    @Override
    public String action() {
        return action;
    }

    @Override
    public boolean hasPermitOnlyKey() {
        return read != null;
    }
}
