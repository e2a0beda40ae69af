package dev.cordon.sandbox.seccomp.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent classic-BPF interpreter and verifier for seccomp programs, written from the kernel's
 * documented semantics (not from the production builder) so the two can be checked against each other.
 * It reads the raw {@code struct sock_filter[]} bytes, as the kernel does.
 */
final class CbpfVm {
    private final int[] code;
    private final int[] jt;
    private final int[] jf;
    private final int[] k;

    CbpfVm(byte[] program) {
        if (program.length % 8 != 0) {
            throw new IllegalArgumentException("program length " + program.length + " is not a multiple of 8");
        }
        ByteBuffer in = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        int n = program.length / 8;
        code = new int[n];
        jt = new int[n];
        jf = new int[n];
        k = new int[n];
        for (int i = 0; i < n; i++) {
            code[i] = in.getShort() & 0xFFFF;
            jt[i] = in.get() & 0xFF;
            jf[i] = in.get() & 0xFF;
            k[i] = in.getInt();
        }
    }

    int length() {
        return code.length;
    }

    /** The kernel's checks (seccomp_check_filter and bpf_check_classic), plus "every path returns". */
    List<String> verify() {
        List<String> problems = new ArrayList<>();
        int n = code.length;
        if (n == 0 || n > 4096) {
            problems.add("length " + n + " outside 1..4096");
            return problems;
        }
        for (int pc = 0; pc < n; pc++) {
            int op = code[pc];
            switch (op) {
                case 0x20 -> {
                    if (k[pc] < 0 || k[pc] >= 64 || (k[pc] & 3) != 0) {
                        problems.add(pc + ": load offset " + k[pc] + " outside seccomp_data or unaligned");
                    }
                    needsNext(problems, pc);
                }
                case 0x06 -> { }
                case 0x05 -> {
                    if (Integer.toUnsignedLong(k[pc]) >= n - pc - 1) {
                        problems.add(pc + ": JA +" + Integer.toUnsignedString(k[pc]) + " leaves the program");
                    }
                }
                case 0x15, 0x25, 0x35, 0x45 -> {
                    if (pc + 1 + jt[pc] >= n || pc + 1 + jf[pc] >= n) {
                        problems.add(pc + ": jump (" + jt[pc] + ", " + jf[pc] + ") leaves the program");
                    }
                }
                default -> problems.add(pc + ": opcode 0x" + Integer.toHexString(op) + " not expected");
            }
        }
        if (code[n - 1] != 0x06) {
            problems.add("last instruction is not RET");
        }
        return problems;
    }

    private void needsNext(List<String> problems, int pc) {
        if (pc + 1 >= code.length) {
            problems.add(pc + ": falls off the end");
        }
    }

    /**
     * Runs the program on one {@code seccomp_data}.
     *
     * @return the 32-bit seccomp action
     */
    int run(int nr, int arch, long instructionPointer, long[] args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(nr).putInt(arch).putLong(instructionPointer);
        for (long arg : args) {
            data.putLong(arg);
        }
        int a = 0;
        int x = 0;
        int[] scratch = new int[16];
        int pc = 0;
        for (int steps = 0; steps <= code.length; steps++) {
            int op = code[pc];
            int kk = k[pc];
            switch (op) {
                case 0x20 -> a = data.getInt(kk);                 // ld [k]
                case 0x00 -> a = kk;                              // ld #k
                case 0x01 -> x = kk;                              // ldx #k
                case 0x60 -> a = scratch[kk];                     // ld M[k]
                case 0x61 -> x = scratch[kk];                     // ldx M[k]
                case 0x02 -> scratch[kk] = a;                     // st M[k]
                case 0x03 -> scratch[kk] = x;                     // stx M[k]
                case 0x04 -> a += kk;
                case 0x14 -> a -= kk;
                case 0x44 -> a |= kk;
                case 0x54 -> a &= kk;
                case 0x74 -> a >>>= kk;
                case 0x64 -> a <<= kk;
                case 0x07 -> x = a;                               // tax
                case 0x87 -> a = x;                               // txa
                case 0x06 -> {
                    return kk;                                    // ret #k
                }
                case 0x16 -> {
                    return a;                                     // ret a
                }
                case 0x05 -> {
                    pc += kk;                                     // ja
                }
                case 0x15, 0x25, 0x35, 0x45, 0x1d, 0x2d, 0x3d, 0x4d -> {
                    int operand = (op & 0x08) != 0 ? x : kk;
                    boolean taken = switch (op & 0xF0) {
                        case 0x10 -> a == operand;
                        case 0x20 -> Integer.compareUnsigned(a, operand) > 0;
                        case 0x30 -> Integer.compareUnsigned(a, operand) >= 0;
                        default -> (a & operand) != 0;
                    };
                    pc += taken ? jt[pc] : jf[pc];
                }
                default -> throw new IllegalStateException(pc + ": unknown opcode 0x" + Integer.toHexString(op));
            }
            pc++;
            if (pc >= code.length) {
                throw new IllegalStateException("ran off the end of the program");
            }
        }
        throw new IllegalStateException("more steps than instructions: a backward jump?");
    }
}
