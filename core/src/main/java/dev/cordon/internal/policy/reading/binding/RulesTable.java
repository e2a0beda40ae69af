package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.constraints.Duration;
import dev.cordon.internal.policy.reading.constraints.Messages;
import dev.cordon.internal.policy.reading.constraints.OneOf;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;

/** The permission keys of a section or of one crate's table; each is null when not written. */
public class RulesTable {
    /** {@code network-access}. */
    @Valid
    public NetworkTable networkAccess;

    /** {@code filesystem-access}. */
    @Valid
    public FilesystemTable filesystemAccess;

    /** {@code env}. */
    @Valid
    public EnvTable env;

    /** {@code timeout}: a String or an integer. */
    @Duration
    public Object timeout;

    /** {@code idle-timeout}: a String or an integer. */
    @Duration
    public Object idleTimeout;

    /** {@code source}. */
    @OneOf(value = {"read-only", "copy"}, message = "is not a source mode")
    public String source;

    /** {@code live-log}: {@code "tty"}, {@code "stderr"} or a file path. */
    @Pattern(regexp = "[^\\x00\\n]*[^\\s\\x00][^\\x00\\n]*", message = "is not a live-log sink" + Messages.FIX
            + "write \"tty\", \"stderr\", an absolute file path, or a path relative to the target dir, e.g."
            + " \"cordon/live.log\"")
    public String liveLog;

    /** {@code syscalls}. */
    @Valid
    public SyscallsTable syscalls;

    /** {@code directives}. */
    @Valid
    public DirectivesTable directives;

    /** {@code limits}. */
    @Valid
    public LimitsTable limits;

    /** Created by Jackson. */
    public RulesTable() {
    }
}
