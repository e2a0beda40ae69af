package dev.cordon;

import java.util.Arrays;
import java.util.Objects;

/**
 * A compiled syscall filter (for Linux, a classic-BPF seccomp program) ready for a backend to install.
 *
 * @param description a one-line summary for {@code explain} output, e.g. {@code "default + no-network
 *     (x86_64, 212 instructions)"}; never null
 * @param program the filter in the kernel's binary form ({@code struct sock_filter[]}, native byte
 *     order); never null
 * @since 0.1
 */
public record SyscallFilter(String description, byte[] program) {

    /** Checks and copies the components. */
    public SyscallFilter {
        Objects.requireNonNull(description, "description");
        program = program.clone();
    }

    /** {@return a copy of the program bytes} */
    @Override
    public byte[] program() {
        return program.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SyscallFilter that && description.equals(that.description)
                && Arrays.equals(program, that.program);
    }

    @Override
    public int hashCode() {
        return description.hashCode() * 31 + Arrays.hashCode(program);
    }

    @Override
    public String toString() {
        return "SyscallFilter[" + description + ", " + program.length + " bytes]";
    }
}
