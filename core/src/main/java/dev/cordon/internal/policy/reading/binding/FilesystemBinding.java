package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.ValueChecks.Kind;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/** {@code filesystem-access = { action = ..., paths = [...], read = [...], hide = [...] }}. */
public final class FilesystemBinding extends Binding {
    /** {@code action}. */
    @NotNull(message = "is missing" + Checked.FIX + "add action = \"permit\" or action = \"deny\"")
    @Checked(Kind.ACTION)
    public String action;

    /** {@code paths}: writable for permit, hidden for deny. */
    public final List<@Checked(Kind.PATH) String> paths = new ArrayList<>();

    /** {@code read}: kept readable. */
    public final List<@Checked(Kind.PATH) String> read = new ArrayList<>();

    /** {@code hide}: hidden. */
    public final List<@Checked(Kind.PATH) String> hide = new ArrayList<>();

    /** @param keyPath where it is */
    public FilesystemBinding(String keyPath) {
        super(keyPath);
    }
}
