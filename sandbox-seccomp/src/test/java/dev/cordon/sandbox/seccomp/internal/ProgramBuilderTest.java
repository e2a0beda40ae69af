package dev.cordon.sandbox.seccomp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProgramBuilderTest {

    @Test
    void assemble_nearJump_encodesOffsetsDirectly() {
        ProgramBuilder builder = new ProgramBuilder();
        Label deny = builder.newLabel("deny");
        builder.load(SeccompData.NR).jump(Bpf.JEQ, 39, deny, null).ret(Action.ALLOW);
        builder.bind(deny).ret(Action.errno(Errno.EPERM).value());

        List<Instruction> program = builder.assemble();

        assertEquals(List.of(
                new Instruction(Bpf.LD_W_ABS, 0, 0, 0),
                new Instruction(Bpf.JEQ, 1, 0, 39),
                new Instruction(Bpf.RET_K, 0, 0, Action.ALLOW),
                new Instruction(Bpf.RET_K, 0, 0, Action.ERRNO | 1)), program);
    }

    @Test
    void encode_writesStructSockFilterLittleEndian() {
        byte[] bytes = ProgramBuilder.encode(List.of(new Instruction(0x15, 3, 4, 0xC000003E)));

        assertArrayEquals(new byte[] {0x15, 0x00, 3, 4, 0x3E, 0x00, 0x00, (byte) 0xC0}, bytes);
    }

    @Test
    void assemble_jumpOf256_goesThroughOneTrampoline() {
        ProgramBuilder builder = new ProgramBuilder();
        Label far = builder.newLabel("far");
        builder.load(SeccompData.NR).jump(Bpf.JEQ, 1, far, null);
        for (int i = 0; i < 255; i++) {
            builder.load(SeccompData.NR);
        }
        builder.ret(Action.ALLOW);
        builder.bind(far).ret(Action.KILL_PROCESS);

        List<Instruction> program = builder.assemble();

        assertEquals(2 + 255 + 2 + 1, program.size());
        assertEquals(new Instruction(Bpf.JEQ, 0, 1, 1), program.get(1));
        assertEquals(new Instruction(Bpf.JA, 0, 0, 256), program.get(2));
        CbpfVm vm = new CbpfVm(ProgramBuilder.encode(program));
        assertEquals(List.of(), vm.verify());
        assertEquals(Action.KILL_PROCESS, vm.run(1, 0, 0, new long[6]));
        assertEquals(Action.ALLOW, vm.run(2, 0, 0, new long[6]));
    }

    @Test
    void assemble_labelBoundAtTheEnd_isRefused() {
        ProgramBuilder builder = new ProgramBuilder();
        builder.load(SeccompData.NR).ret(Action.ALLOW).jump(Bpf.JEQ, 1, null, null);

        assertMessage(builder, "every path must end in a return");
    }

    @Test
    void assemble_unboundLabel_isRefused() {
        ProgramBuilder builder = new ProgramBuilder();
        Label nowhere = builder.newLabel("nowhere");
        builder.load(SeccompData.NR).jump(Bpf.JEQ, 1, nowhere, null).ret(Action.ALLOW);

        assertMessage(builder, "label 'nowhere' is never bound");
    }

    @Test
    void assemble_lastInstructionNotReturn_isRefused() {
        ProgramBuilder builder = new ProgramBuilder();
        builder.load(SeccompData.NR);

        assertMessage(builder, "must end with a return");
    }

    @Test
    void assemble_backwardJump_isRefused() {
        ProgramBuilder builder = new ProgramBuilder();
        Label start = builder.newLabel("start");
        builder.bind(start).load(SeccompData.NR).jumpTo(start).ret(Action.ALLOW);

        assertMessage(builder, "goes backwards");
    }

    @Test
    void assemble_moreThan4096Instructions_isRefusedWithTheLimit() {
        ProgramBuilder builder = new ProgramBuilder();
        for (int i = 0; i < 4096; i++) {
            builder.load(SeccompData.NR);
        }
        builder.ret(Action.ALLOW);

        assertMessage(builder, "needs 4097 instructions but the kernel accepts at most 4096 (BPF_MAXINSNS)");
    }

    @Test
    void assemble_exactly4096Instructions_isAccepted() {
        ProgramBuilder builder = new ProgramBuilder();
        for (int i = 0; i < 4095; i++) {
            builder.load(SeccompData.NR);
        }
        builder.ret(Action.ALLOW);

        assertEquals(4096, builder.assemble().size());
    }

    private static void assertMessage(ProgramBuilder builder, String expected) {
        IllegalStateException e = assertThrows(IllegalStateException.class, builder::assemble);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
