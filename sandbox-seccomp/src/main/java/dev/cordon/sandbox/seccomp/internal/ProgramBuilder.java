package dev.cordon.sandbox.seccomp.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a classic-BPF program with symbolic jumps, then lays it out.
 *
 * <p>Conditional jumps encode their offsets in 8 bits, so a target more than 255 instructions ahead
 * cannot be reached directly. {@link #assemble()} then inserts a trampoline (an unconditional
 * {@code JA}, whose offset has 32 bits) right after the jump and points the branch at it; since a
 * conditional jump never falls through, the trampoline is reached only through that branch. Inserting
 * can push other jumps out of range, so layout repeats until every offset fits. Jumps only go forward:
 * a jump to an earlier instruction is refused, which also makes every program terminate.
 *
 * <p>Not thread-safe; one builder makes one program.
 */
public final class ProgramBuilder {
    private static final class Node {
        final int code;
        final int k;
        Label jt;
        Label jf;
        int position;

        Node(int code, int k, Label jt, Label jf) {
            this.code = code;
            this.k = k;
            this.jt = jt;
            this.jf = jf;
        }
    }

    private final List<Node> nodes = new ArrayList<>();
    private final List<Label> pending = new ArrayList<>();
    private int anonymous;

    /**
     * {@return a new, unbound label}
     *
     * @param name a name for error messages
     */
    public Label newLabel(String name) {
        return new Label(name);
    }

    /**
     * Binds a label to the next instruction emitted.
     *
     * @param label an unbound label of this builder
     * @return this builder
     */
    public ProgramBuilder bind(Label label) {
        if (label.target != null || pending.contains(label)) {
            throw new IllegalStateException("label '" + label + "' is already bound");
        }
        pending.add(label);
        return this;
    }

    /** Emits {@code A = seccomp_data[offset]} (a 32-bit word). */
    public ProgramBuilder load(int offset) {
        return emit(new Node(Bpf.LD_W_ABS, offset, null, null));
    }

    /** Emits a return with the seccomp action {@code action}. */
    public ProgramBuilder ret(int action) {
        return emit(new Node(Bpf.RET_K, action, null, null));
    }

    /** Emits an unconditional jump to {@code target}. */
    public ProgramBuilder jumpTo(Label target) {
        return emit(new Node(Bpf.JA, 0, target, null));
    }

    /**
     * Emits a conditional jump.
     *
     * @param code {@link Bpf#JEQ}, {@link Bpf#JGT}, {@link Bpf#JGE} or {@link Bpf#JSET}
     * @param k the operand compared with A
     * @param ifTrue where to go when the test holds; null for the next instruction
     * @param ifFalse where to go when it fails; null for the next instruction
     * @return this builder
     */
    public ProgramBuilder jump(int code, int k, Label ifTrue, Label ifFalse) {
        if (!Bpf.isConditionalJump(code)) {
            throw new IllegalArgumentException("0x" + Integer.toHexString(code) + " is not a conditional jump");
        }
        Label next = ifTrue == null || ifFalse == null ? new Label("next#" + anonymous++) : null;
        emit(new Node(code, k, ifTrue == null ? next : ifTrue, ifFalse == null ? next : ifFalse));
        if (next != null) {
            pending.add(next);
        }
        return this;
    }

    /** {@return the number of instructions emitted so far, before trampolines} */
    public int size() {
        return nodes.size();
    }

    private ProgramBuilder emit(Node node) {
        for (Label label : pending) {
            label.target = node;
        }
        pending.clear();
        nodes.add(node);
        return this;
    }

    /**
     * Lays the program out, inserting trampolines where needed.
     *
     * @return the instructions, ready to {@linkplain #encode(List) encode}
     * @throws IllegalStateException when a label is unbound or bound past the last instruction, a jump
     *     goes backwards, the last instruction is not a return, or the program exceeds
     *     {@link Bpf#MAX_INSTRUCTIONS}
     */
    public List<Instruction> assemble() {
        if (!pending.isEmpty()) {
            throw new IllegalStateException("label '" + pending.getFirst()
                    + "' is bound after the last instruction; every path must end in a return");
        }
        if (nodes.isEmpty() || nodes.getLast().code != Bpf.RET_K) {
            throw new IllegalStateException("a seccomp program must end with a return instruction");
        }
        while (insertOneTrampoline()) {
            if (nodes.size() > Bpf.MAX_INSTRUCTIONS) {
                break;
            }
        }
        if (nodes.size() > Bpf.MAX_INSTRUCTIONS) {
            throw new IllegalStateException("the seccomp program needs " + nodes.size()
                    + " instructions but the kernel accepts at most " + Bpf.MAX_INSTRUCTIONS
                    + " (BPF_MAXINSNS); deny fewer syscalls");
        }
        List<Instruction> out = new ArrayList<>(nodes.size());
        for (Node node : nodes) {
            if (node.code == Bpf.JA) {
                out.add(new Instruction(node.code, 0, 0, offset(node, node.jt)));
            } else if (Bpf.isConditionalJump(node.code)) {
                out.add(new Instruction(node.code, offset(node, node.jt), offset(node, node.jf), node.k));
            } else {
                out.add(new Instruction(node.code, 0, 0, node.k));
            }
        }
        return out;
    }

    /** Finds the first conditional branch out of range and routes it through a new JA. */
    private boolean insertOneTrampoline() {
        Map<Node, Integer> index = layout();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            if (node.code == Bpf.JA) {
                distance(index, i, node.jt);
            }
            if (!Bpf.isConditionalJump(node.code)) {
                continue;
            }
            for (boolean whenTrue : new boolean[] {true, false}) {
                Label target = whenTrue ? node.jt : node.jf;
                int distance = distance(index, i, target);
                if (distance > Bpf.MAX_CONDITIONAL_OFFSET) {
                    Label trampoline = new Label("trampoline to " + target);
                    Node ja = new Node(Bpf.JA, 0, target, null);
                    trampoline.target = ja;
                    nodes.add(i + 1, ja);
                    if (whenTrue) {
                        node.jt = trampoline;
                    } else {
                        node.jf = trampoline;
                    }
                    return true;
                }
            }
        }
        return false;
    }

    private Map<Node, Integer> layout() {
        Map<Node, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).position = i;
            index.put(nodes.get(i), i);
        }
        return index;
    }

    private static int distance(Map<Node, Integer> index, int from, Label label) {
        Integer to = label.target == null ? null : index.get((Node) label.target);
        if (to == null) {
            throw new IllegalStateException("label '" + label + "' is never bound");
        }
        if (to <= from) {
            throw new IllegalStateException("the jump at " + from + " to label '" + label
                    + "' goes backwards; classic BPF only jumps forward");
        }
        return to - from - 1;
    }

    private static int offset(Node from, Label label) {
        return ((Node) label.target).position - from.position - 1;
    }

    /**
     * {@return the instructions as the kernel's {@code struct sock_filter[]}, little-endian}
     *
     * @param program the instructions from {@link #assemble()}
     */
    public static byte[] encode(List<Instruction> program) {
        ByteBuffer out = ByteBuffer.allocate(program.size() * Bpf.INSTRUCTION_BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (Instruction instruction : program) {
            instruction.encode(out);
        }
        return out.array();
    }
}
