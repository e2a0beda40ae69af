package dev.cordon.sandbox.seccomp.internal;

/**
 * Offsets into the kernel's {@code struct seccomp_data}, the input of every seccomp filter:
 * {@code int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6];}.
 *
 * <p>Filters load 32-bit words, so a 64-bit argument is two loads. The offsets of the halves are for
 * little-endian machines (x86_64, aarch64), the only ones this module compiles for.
 */
public final class SeccompData {
    /** Offset of the syscall number. */
    public static final int NR = 0;
    /** Offset of the {@code AUDIT_ARCH_*} value of the calling convention. */
    public static final int ARCH = 4;
    /** Offset of the instruction pointer. */
    public static final int INSTRUCTION_POINTER = 8;
    /** Size of the structure. */
    public static final int SIZE = 64;
    /** Number of syscall arguments. */
    public static final int ARGUMENTS = 6;

    private SeccompData() {
    }

    /** {@return the offset of the low 32 bits of argument {@code index}} */
    public static int argLow(int index) {
        return 16 + 8 * checked(index);
    }

    /** {@return the offset of the high 32 bits of argument {@code index}} */
    public static int argHigh(int index) {
        return 16 + 8 * checked(index) + 4;
    }

    private static int checked(int index) {
        if (index < 0 || index >= ARGUMENTS) {
            throw new IllegalArgumentException("syscall argument index " + index + " must be 0..5");
        }
        return index;
    }
}
