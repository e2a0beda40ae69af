package dev.cordon.sandbox.seccomp.internal;

/**
 * Classic-BPF opcodes and limits, as the kernel's {@code linux/filter.h} and {@code linux/bpf_common.h}
 * define them. Only the instructions a seccomp filter needs are named.
 */
public final class Bpf {
    /** {@code BPF_LD | BPF_W | BPF_ABS}: A = 32-bit word at a fixed offset of {@code seccomp_data}. */
    public static final int LD_W_ABS = 0x20;
    /** {@code BPF_JMP | BPF_JA}: unconditional forward jump by {@code k} (32 bits). */
    public static final int JA = 0x05;
    /** {@code BPF_JMP | BPF_JEQ | BPF_K}: jump on A == k. */
    public static final int JEQ = 0x15;
    /** {@code BPF_JMP | BPF_JGT | BPF_K}: jump on A &gt; k (unsigned). */
    public static final int JGT = 0x25;
    /** {@code BPF_JMP | BPF_JGE | BPF_K}: jump on A &gt;= k (unsigned). */
    public static final int JGE = 0x35;
    /** {@code BPF_JMP | BPF_JSET | BPF_K}: jump on (A &amp; k) != 0. */
    public static final int JSET = 0x45;
    /** {@code BPF_RET | BPF_K}: end the program with the seccomp action {@code k}. */
    public static final int RET_K = 0x06;

    /** {@code BPF_MAXINSNS}: the kernel refuses longer programs. */
    public static final int MAX_INSTRUCTIONS = 4096;
    /** The largest offset a conditional jump can encode ({@code jt} and {@code jf} are u8). */
    public static final int MAX_CONDITIONAL_OFFSET = 255;
    /** Bytes per encoded instruction ({@code struct sock_filter}). */
    public static final int INSTRUCTION_BYTES = 8;

    private Bpf() {
    }

    /** {@return true for the conditional jump opcodes} */
    public static boolean isConditionalJump(int code) {
        return code == JEQ || code == JGT || code == JGE || code == JSET;
    }
}
