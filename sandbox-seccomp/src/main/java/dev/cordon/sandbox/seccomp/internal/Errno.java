package dev.cordon.sandbox.seccomp.internal;

/** The errno values the filters return; the same on x86_64 and aarch64 ({@code asm-generic/errno}). */
public final class Errno {
    /** Operation not permitted: the usual answer for a refused call. */
    public static final int EPERM = 1;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Function not implemented: tells libc to fall back (clone3 to clone) or a tool to go without. */
    public static final int ENOSYS = 38;
    /** Address family not supported: what a kernel without networking answers to {@code socket()}. */
    public static final int EAFNOSUPPORT = 97;

    private Errno() {
    }

    /** {@return the symbolic name of a value this class names, else the number} */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case EACCES -> "EACCES";
            case ENOSYS -> "ENOSYS";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            default -> Integer.toString(errno);
        };
    }
}
