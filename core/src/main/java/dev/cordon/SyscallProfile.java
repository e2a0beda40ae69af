package dev.cordon;

import java.util.Objects;

/**
 * The base profile of a syscall filter ({@link SyscallRules#profile()}, {@code syscalls.profile} in a policy):
 * {@link #DEFAULT} (refuse the dangerous calls), {@link #OFF} (no filter), or another profile a
 * {@link dev.cordon.spi.SyscallFilterCompiler} knows.
 *
 * <p>A value type, not an enum, for the same reason as {@link BackendChoice}: filter compilers may know more
 * profiles than these two, and only the compiler can say whether a name is one of them (it refuses an unknown
 * one with a "did you mean"). The type checks the name's shape, the one a policy accepts.
 *
 * @param name lower-case letters, digits and {@code '-'}, not starting with {@code '-'}; never null
 * @since 0.2
 */
public record SyscallProfile(String name) {

    /** Cordon's default filter: refuses the calls a build script has no business making. */
    public static final SyscallProfile DEFAULT = new SyscallProfile("default");

    /** No filter (unless the rules deny calls by name). */
    public static final SyscallProfile OFF = new SyscallProfile("off");

    /**
     * Checks the name's shape.
     *
     * @throws IllegalArgumentException when the name is not of lower-case letters, digits and {@code '-'}
     */
    public SyscallProfile {
        Objects.requireNonNull(name, "name");
        if (!dev.cordon.internal.text.Identifiers.isId(name)) {
            throw new IllegalArgumentException("syscall profile '" + name + "' is not a syscall profile id: write"
                    + " \"default\", \"off\" or a profile id of lower-case letters, digits and '-'");
        }
    }

    /**
     * {@return the profile a policy's {@code syscalls.profile} value names}
     *
     * @param name {@code "default"}, {@code "off"} or another profile's id
     * @throws IllegalArgumentException when the name is not of lower-case letters, digits and {@code '-'}
     */
    public static SyscallProfile of(String name) {
        return switch (name) {
            case "default" -> DEFAULT;
            case "off" -> OFF;
            default -> new SyscallProfile(name);
        };
    }

    // equals and hashCode written out, as toString: a record's generated ones are bootstrapped at run time, which
    // spins classes on every cold start (PackagedRunnerIT), and every grant compares these.
    @Override
    public boolean equals(Object other) {
        return other instanceof SyscallProfile that && name.equals(that.name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    /** {@return the name, as a policy writes it} */
    @Override
    public String toString() {
        return name;
    }
}
