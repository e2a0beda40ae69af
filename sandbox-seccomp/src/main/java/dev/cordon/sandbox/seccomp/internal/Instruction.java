package dev.cordon.sandbox.seccomp.internal;

import java.nio.ByteBuffer;

/**
 * One encoded classic-BPF instruction ({@code struct sock_filter}): a 16-bit opcode, two 8-bit
 * conditional offsets and a 32-bit operand.
 *
 * @param code the opcode, 0..65535
 * @param jt the offset taken when a conditional jump's test holds, 0..255
 * @param jf the offset taken when it fails, 0..255
 * @param k the operand (an unsigned 32-bit value held in an int)
 */
public record Instruction(int code, int jt, int jf, int k) {

    /** Checks the field widths. */
    public Instruction {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("BPF opcode " + code + " does not fit in 16 bits");
        }
        if (jt < 0 || jt > Bpf.MAX_CONDITIONAL_OFFSET || jf < 0 || jf > Bpf.MAX_CONDITIONAL_OFFSET) {
            throw new IllegalArgumentException("BPF jump offsets (" + jt + ", " + jf
                    + ") must be 0.." + Bpf.MAX_CONDITIONAL_OFFSET);
        }
    }

    /** Writes the instruction in the kernel's layout; {@code out} must be little-endian. */
    void encode(ByteBuffer out) {
        out.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }

    @Override
    public String toString() {
        return String.format("{0x%02x, %d, %d, 0x%08x}", code, jt, jf, k);
    }
}
