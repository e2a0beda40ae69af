package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.ValueChecks.Kind;
import java.util.ArrayList;
import java.util.List;

/** {@code syscalls = { profile = ..., deny = [...], allow = [...] }}. */
public final class SyscallsBinding extends Binding {
    /** {@code profile}, or null when not given. */
    @Checked(Kind.PROFILE)
    public String profile;

    /** {@code deny}. */
    public final List<@Checked(Kind.SYSCALL) String> deny = new ArrayList<>();

    /** {@code allow}. */
    public final List<@Checked(Kind.SYSCALL) String> allow = new ArrayList<>();

    /** @param keyPath where it is */
    public SyscallsBinding(String keyPath) {
        super(keyPath);
    }
}
