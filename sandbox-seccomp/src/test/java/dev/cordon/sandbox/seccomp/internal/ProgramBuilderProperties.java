package dev.cordon.sandbox.seccomp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random programs with jumps of every length: the laid-out program must be valid, and the independent
 * interpreter must reach the same decisions as the symbolic program says.
 */
class ProgramBuilderProperties {

    /** One comparison of a decision chain: on {@code nr == value}, return {@code action}. */
    record Branch(int value, int action, int padding, boolean viaJset) {
    }

    @Provide
    Arbitrary<List<Branch>> chains() {
        Arbitrary<Branch> branch = Combinators.combine(
                Arbitraries.integers().between(0, 40),
                Arbitraries.integers().between(1, 4095).map(e -> Action.ERRNO | e),
                Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 5)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(200, 700))),
                Arbitraries.of(false, true)).as(Branch::new);
        return branch.list().ofMinSize(0).ofMaxSize(12);
    }

    @Property(tries = 300)
    void assemble_validAndFaithful(@ForAll("chains") List<Branch> chain,
            @ForAll boolean paddingBeforeDefault) {
        ProgramBuilder builder = new ProgramBuilder();
        builder.load(SeccompData.NR);
        List<Label> targets = new ArrayList<>();
        for (Branch branch : chain) {
            Label target = builder.newLabel("branch " + branch);
            targets.add(target);
            if (branch.viaJset()) {
                // nr & (1 << (value % 31)) != 0 stands for a bit test; the oracle below mirrors it.
                builder.jump(Bpf.JSET, 1 << (branch.value() % 31), target, null);
            } else {
                builder.jump(Bpf.JEQ, branch.value(), target, null);
            }
        }
        if (paddingBeforeDefault) {
            Label skip = builder.newLabel("skip");
            builder.jumpTo(skip);
            pad(builder, 300);
            builder.bind(skip);
        }
        builder.ret(Action.ALLOW);
        for (int i = 0; i < chain.size(); i++) {
            builder.bind(targets.get(i));
            pad(builder, chain.get(i).padding());
            builder.ret(chain.get(i).action());
        }
        List<Instruction> program = builder.assemble();
        CbpfVm vm = new CbpfVm(ProgramBuilder.encode(program));

        assertEquals(List.of(), vm.verify());
        assertTrue(vm.length() <= Bpf.MAX_INSTRUCTIONS);
        for (int nr = 0; nr <= 41; nr++) {
            assertEquals(expected(chain, nr), vm.run(nr, 0, 0, new long[6]), "nr " + nr);
        }
    }

    private static int expected(List<Branch> chain, int nr) {
        for (Branch branch : chain) {
            boolean hit = branch.viaJset() ? (nr & (1 << (branch.value() % 31))) != 0 : nr == branch.value();
            if (hit) {
                return branch.action();
            }
        }
        return Action.ALLOW;
    }

    /** Filler that keeps A (= nr) unchanged. */
    private static void pad(ProgramBuilder builder, int count) {
        for (int i = 0; i < count; i++) {
            builder.load(SeccompData.NR);
        }
    }

    @Property(tries = 50)
    void assemble_farBranchesBothWays_getTrampolines(@ForAll("far") int distance) {
        ProgramBuilder builder = new ProgramBuilder();
        Label yes = builder.newLabel("yes");
        Label no = builder.newLabel("no");
        builder.load(SeccompData.NR).jump(Bpf.JEQ, 7, yes, no);
        pad(builder, distance);
        builder.ret(Action.ALLOW);
        builder.bind(yes).ret(Action.errno(1).value());
        pad(builder, distance);
        builder.bind(no).ret(Action.errno(2).value());
        List<Instruction> program = builder.assemble();
        CbpfVm vm = new CbpfVm(ProgramBuilder.encode(program));

        assertEquals(List.of(), vm.verify());
        assertEquals(Action.errno(1).value(), vm.run(7, 0, 0, new long[6]));
        assertEquals(Action.errno(2).value(), vm.run(8, 0, 0, new long[6]));
        // The false branch always needs a trampoline; inserting it pushes the true branch one further,
        // which then needs one too from distance 254 on: the cascade the layout loop exists for.
        int trampolines = 1 + (distance + 2 > Bpf.MAX_CONDITIONAL_OFFSET ? 1 : 0);
        assertEquals(2 + distance + 1 + 1 + distance + 1 + trampolines, program.size());
    }

    @Provide
    Arbitrary<Integer> far() {
        return Arbitraries.integers().between(240, 1500);
    }
}
