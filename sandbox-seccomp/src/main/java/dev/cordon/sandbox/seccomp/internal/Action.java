package dev.cordon.sandbox.seccomp.internal;

/**
 * What a filter tells the kernel to do with a syscall: the 32-bit {@code SECCOMP_RET_*} value a
 * program returns.
 *
 * @param value the return value: an action in the high 16 bits, its data (an errno) in the low 16
 */
public record Action(int value) {
    /** {@code SECCOMP_RET_KILL_PROCESS}: kill the whole process, as if by SIGSYS. */
    public static final int KILL_PROCESS = 0x8000_0000;
    /** {@code SECCOMP_RET_ERRNO}: fail the call with the errno in the low 16 bits. */
    public static final int ERRNO = 0x0005_0000;
    /** {@code SECCOMP_RET_LOG}: allow the call and log it to the audit log. */
    public static final int LOG = 0x7FFC_0000;
    /** {@code SECCOMP_RET_ALLOW}: let the call run. */
    public static final int ALLOW = 0x7FFF_0000;

    /** {@return let the call run} */
    public static Action allow() {
        return new Action(ALLOW);
    }

    /** {@return allow and log the call} */
    public static Action log() {
        return new Action(LOG);
    }

    /** {@return kill the process} */
    public static Action killProcess() {
        return new Action(KILL_PROCESS);
    }

    /**
     * {@return fail the call with an errno}
     *
     * @param errno 1..4095 (the kernel caps larger values)
     */
    public static Action errno(int errno) {
        if (errno < 1 || errno > 4095) {
            throw new IllegalArgumentException("errno " + errno + " must be 1..4095");
        }
        return new Action(ERRNO | errno);
    }

    /** {@return a readable form: {@code ALLOW}, {@code LOG}, {@code KILL_PROCESS}, {@code ERRNO(EPERM)}} */
    public String describe() {
        return switch (value & 0xFFFF_0000) {
            case ALLOW -> "ALLOW";
            case LOG -> "LOG";
            case KILL_PROCESS -> "KILL_PROCESS";
            case ERRNO -> "ERRNO(" + Errno.name(value & 0xFFFF) + ")";
            default -> String.format("0x%08x", value);
        };
    }
}
