package dev.cordon.internal.policy.model;

import dev.cordon.NetworkAccess;
import dev.cordon.SourceMode;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The settings of one policy table ({@code [permissions.build]} or a crate's table), validated. Absent
 * scalars ({@code Optional.empty()}) mean "not set here"; lists hold what this table adds.
 *
 * @param network {@code network-access}, or empty when not set
 * @param write {@code filesystem-access} permit {@code paths}: readable and writable
 * @param read {@code filesystem-access} {@code read}: kept readable
 * @param hide {@code filesystem-access} deny {@code paths} and {@code hide}: hidden
 * @param envPass {@code env.pass} globs
 * @param envDrop {@code env.drop} globs
 * @param envSet {@code env.set}, sorted by name
 * @param timeout {@code timeout}, or empty when not set
 * @param idleTimeout {@code idle-timeout}, or empty when not set
 * @param source {@code source}, or empty when not set
 * @param syscallProfile {@code syscalls.profile}, or empty when not set
 * @param syscallDeny {@code syscalls.deny}
 * @param syscallAllow {@code syscalls.allow}
 * @param directivesAllow {@code directives.allow}
 * @param limits {@code limits}: the keys set here ({@link #LIMIT_KEYS}) with their value, or
 *     {@link #UNLIMITED} for {@code "unlimited"}; sorted
 */
public record Rules(Optional<NetworkAccess> network, List<PathSpec> write, List<PathSpec> read, List<PathSpec> hide,
        List<String> envPass, List<String> envDrop, Map<String, String> envSet, Optional<Duration> timeout,
        Optional<Duration> idleTimeout, Optional<SourceMode> source, Optional<String> liveLog,
        Optional<String> syscallProfile, List<String> syscallDeny, List<String> syscallAllow,
        List<String> directivesAllow, Map<String, Long> limits) {

    /** The keys of {@code limits}. */
    public static final List<String> LIMIT_KEYS = List.of("processes", "memory", "open-files", "output");

    /** The value of a limit switched off with {@code "unlimited"}. */
    public static final long UNLIMITED = -1;

    /** A table that sets nothing. */
    public static final Rules EMPTY = new Rules(Optional.empty(), List.of(), List.of(), List.of(), List.of(),
            List.of(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), List.of(), List.of());

    /**
     * A table without {@code directives} and {@code limits}.
     *
     * @param network see the record
     * @param write see the record
     * @param read see the record
     * @param hide see the record
     * @param envPass see the record
     * @param envDrop see the record
     * @param envSet see the record
     * @param timeout see the record
     * @param idleTimeout see the record
     * @param source see the record
     * @param liveLog see the record
     * @param syscallProfile see the record
     * @param syscallDeny see the record
     * @param syscallAllow see the record
     */
    public Rules(Optional<NetworkAccess> network, List<PathSpec> write, List<PathSpec> read, List<PathSpec> hide,
            List<String> envPass, List<String> envDrop, Map<String, String> envSet, Optional<Duration> timeout,
            Optional<Duration> idleTimeout, Optional<SourceMode> source, Optional<String> liveLog,
            Optional<String> syscallProfile, List<String> syscallDeny, List<String> syscallAllow) {
        this(network, write, read, hide, envPass, envDrop, envSet, timeout, idleTimeout, source, liveLog,
                syscallProfile, syscallDeny, syscallAllow, List.of(), Map.of());
    }

    /** Copies the components. */
    public Rules {
        Objects.requireNonNull(network, "network");
        write = List.copyOf(write);
        read = List.copyOf(read);
        hide = List.copyOf(hide);
        envPass = List.copyOf(envPass);
        envDrop = List.copyOf(envDrop);
        envSet = Collections.unmodifiableMap(new TreeMap<>(envSet));
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(liveLog, "liveLog");
        Objects.requireNonNull(syscallProfile, "syscallProfile");
        syscallDeny = List.copyOf(syscallDeny);
        syscallAllow = List.copyOf(syscallAllow);
        directivesAllow = List.copyOf(directivesAllow);
        limits = Collections.unmodifiableMap(new TreeMap<>(limits));
    }

    /** {@return true when the table's filesystem-access sets anything} */
    public boolean hasFilesystem() {
        return !write.isEmpty() || !read.isEmpty() || !hide.isEmpty();
    }

    /** {@return true when the table's env sets anything} */
    public boolean hasEnv() {
        return !envPass.isEmpty() || !envDrop.isEmpty() || !envSet.isEmpty();
    }

    /** {@return true when the table's syscalls sets anything} */
    public boolean hasSyscalls() {
        return syscallProfile.isPresent() || !syscallDeny.isEmpty() || !syscallAllow.isEmpty();
    }
}
