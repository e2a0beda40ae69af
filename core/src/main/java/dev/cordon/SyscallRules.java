package dev.cordon;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which system calls a build script may make, for backends that can install a syscall filter
 * (on Linux, seccomp under Bubblewrap).
 *
 * @param profile the base profile: {@link SyscallProfile#DEFAULT} (refuse the dangerous calls),
 *     {@link SyscallProfile#OFF} (no filter), or another profile a filter compiler knows; never null
 * @param deny syscall names refused on top of the profile; never null
 * @param allow syscall names the profile would refuse but this grant allows; {@code deny} wins over
 *     {@code allow}; never null
 * @param required true when the policy asked for a filter by name ({@code [sandbox] layers =
 *     ["seccomp"]}), so a backend that cannot install one is an error rather than a skipped layer
 * @since 0.1
 */
public record SyscallRules(SyscallProfile profile, Set<String> deny, Set<String> allow, boolean required) {

    /** Copies the components into sorted, unmodifiable sets. */
    public SyscallRules {
        Objects.requireNonNull(profile, "profile");
        deny = Set.copyOf(new TreeSet<>(deny));
        allow = Set.copyOf(new TreeSet<>(allow));
    }

    /** {@return the default profile, applied where the backend can install it} */
    public static SyscallRules defaults() {
        return new SyscallRules(SyscallProfile.DEFAULT, Set.of(), Set.of(), false);
    }

    /** {@return no filter} */
    public static SyscallRules off() {
        return new SyscallRules(SyscallProfile.OFF, Set.of(), Set.of(), false);
    }

    /** {@return true unless the profile is {@code off} with nothing denied} */
    public boolean wantsFilter() {
        return !SyscallProfile.OFF.equals(profile) || !deny.isEmpty();
    }
}
