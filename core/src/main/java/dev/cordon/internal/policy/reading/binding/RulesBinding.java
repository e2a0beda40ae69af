package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.ValueChecks.Kind;

/** The keys of {@code [permissions.build]} or of one crate's table. */
public final class RulesBinding extends Binding {
    /** {@code network-access}, or null. */
    public NetworkBinding network;

    /** {@code filesystem-access}, or null. */
    public FilesystemBinding filesystem;

    /** {@code env}, or null. */
    public EnvBinding env;

    /** {@code timeout}: a String or a Long, or null. */
    @Checked(Kind.DURATION)
    public Object timeout;

    /** {@code idle-timeout}: a String or a Long, or null. */
    @Checked(Kind.DURATION)
    public Object idleTimeout;

    /** {@code source}, or null. */
    @Checked(Kind.SOURCE)
    public String source;

    /** {@code live-log}, or null. */
    @Checked(Kind.LIVE_LOG)
    public String liveLog;

    /** {@code syscalls}, or null. */
    public SyscallsBinding syscalls;

    /** {@code directives}, or null. */
    public DirectivesBinding directives;

    /** {@code limits}, or null. */
    public LimitsBinding limits;

    /** @param keyPath where it is */
    public RulesBinding(String keyPath) {
        super(keyPath);
    }
}
