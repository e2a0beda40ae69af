package dev.cordon.sandbox.seccomp.internal;

import dev.cordon.SyscallFilter;
import dev.cordon.sandbox.seccomp.internal.SyscallRule.Case;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Emits the BPF program of a {@link ResolvedFilter}. Its shape:
 *
 * <pre>
 *   A = arch;   if A != AUDIT_ARCH goto kill        (a foreign calling convention has other numbers)
 *   A = nr;     if A &amp; X32_BIT goto enosys          (x86_64 only: the x32 ABI)
 *   if A == nr1 goto rule1 ... if A == nrN goto ruleN
 *   return ALLOW
 *   rule blocks: argument checks, each ending in a return
 *   shared returns: one per action, then kill
 * </pre>
 *
 * <p>Unconditional rules jump straight to a shared return. Nothing but {@code arch} and {@code nr} is
 * read on the way to {@code ALLOW} for a call without argument rules, which lets the kernel's seccomp
 * action cache (Linux 5.11+) skip running the filter for the common calls, so the linear chain of
 * comparisons costs the build nothing where it matters.
 */
public final class FilterEmitter {
    private final ProgramBuilder builder = new ProgramBuilder();
    private final Map<Integer, Label> returns = new LinkedHashMap<>();

    private FilterEmitter() {
    }

    /** {@return the instructions of the filter} */
    public static List<Instruction> emit(ResolvedFilter filter) {
        return new FilterEmitter().program(filter);
    }

    /** {@return the filter ready for a backend: encoded program and a description} */
    public static SyscallFilter compile(ResolvedFilter filter) {
        List<Instruction> program = emit(filter);
        String description = filter.layers() + " (" + filter.architecture().id() + ", " + program.size()
                + " instructions)";
        return new SyscallFilter(description, ProgramBuilder.encode(program));
    }

    private List<Instruction> program(ResolvedFilter filter) {
        Architecture architecture = filter.architecture();
        Label kill = builder.newLabel("kill");
        builder.load(SeccompData.ARCH).jump(Bpf.JEQ, architecture.auditArch(), null, kill);
        builder.load(SeccompData.NR);
        if (architecture.foreignAbiBit() != 0) {
            builder.jump(Bpf.JSET, architecture.foreignAbiBit(), returnLabel(Action.errno(Errno.ENOSYS)), null);
        }
        List<Label> blocks = new ArrayList<>();
        for (ResolvedFilter.Entry entry : filter.entries()) {
            SyscallRule rule = entry.rule();
            Label target = rule.isUnconditional() ? returnLabel(rule.otherwise())
                    : builder.newLabel(rule.name() + " arguments");
            if (!rule.isUnconditional()) {
                blocks.add(target);
            }
            builder.jump(Bpf.JEQ, entry.number(), target, null);
        }
        builder.ret(Action.ALLOW);
        int block = 0;
        for (ResolvedFilter.Entry entry : filter.entries()) {
            if (!entry.rule().isUnconditional()) {
                builder.bind(blocks.get(block++));
                emitCases(entry.rule());
            }
        }
        for (Map.Entry<Integer, Label> ret : returns.entrySet()) {
            builder.bind(ret.getValue()).ret(ret.getKey());
        }
        builder.bind(kill).ret(Action.KILL_PROCESS);
        return builder.assemble();
    }

    private void emitCases(SyscallRule rule) {
        for (Case c : rule.cases()) {
            Label miss = builder.newLabel(rule.name() + " next case");
            emitCheck(c.check(), returnLabel(c.action()), miss);
            builder.bind(miss);
        }
        builder.ret(rule.otherwise().value());
    }

    private void emitCheck(ArgCheck check, Label match, Label miss) {
        int low = (int) check.value();
        int high = (int) (check.value() >>> 32);
        int argument = check.argument();
        boolean full = check.width() == ArgCheck.Width.FULL64;
        switch (check.test()) {
            case EQUALS -> {
                if (full) {
                    builder.load(SeccompData.argHigh(argument)).jump(Bpf.JEQ, high, null, miss);
                }
                builder.load(SeccompData.argLow(argument)).jump(Bpf.JEQ, low, match, miss);
            }
            case ANY_BIT -> {
                if (full && high != 0) {
                    builder.load(SeccompData.argHigh(argument)).jump(Bpf.JSET, high, match, low != 0 ? null : miss);
                }
                if (low != 0) {
                    builder.load(SeccompData.argLow(argument)).jump(Bpf.JSET, low, match, miss);
                }
            }
        }
    }

    private Label returnLabel(Action action) {
        Label label = returns.get(action.value());
        if (label == null) {
            label = builder.newLabel("return " + action.describe());
            returns.put(action.value(), label);
        }
        return label;
    }
}
