package dev.cordon.sandbox.seccomp.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a filter does with one syscall: the first {@link Case} whose check holds decides, else
 * {@code otherwise}. A rule without cases is unconditional.
 *
 * @param name the syscall name, as in the syscall tables
 * @param cases argument tests in order; never null
 * @param otherwise the action when no case holds
 * @param reason why the rule exists, one line
 */
public record SyscallRule(String name, List<Case> cases, Action otherwise, String reason) {

    /**
     * One argument test and the action it leads to.
     *
     * @param check the test
     * @param action the action when it holds
     */
    public record Case(ArgCheck check, Action action) {
        /** Checks the components. */
        public Case {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(action, "action");
        }
    }

    /** Checks and copies the components. */
    public SyscallRule {
        Objects.requireNonNull(name, "name");
        cases = List.copyOf(cases);
        Objects.requireNonNull(otherwise, "otherwise");
        Objects.requireNonNull(reason, "reason");
    }

    /** {@return a rule that always answers {@code action}} */
    public static SyscallRule always(String name, Action action, String reason) {
        return new SyscallRule(name, List.of(), action, reason);
    }

    /** {@return a rule that fails the call with {@code EPERM}} */
    public static SyscallRule eperm(String name, String reason) {
        return always(name, Action.errno(Errno.EPERM), reason);
    }

    /** {@return true when the rule looks at no argument} */
    public boolean isUnconditional() {
        return cases.isEmpty();
    }

    /** {@return this rule followed by the cases of {@code later}; both must otherwise allow} */
    public SyscallRule merge(SyscallRule later) {
        if (!otherwise.equals(Action.allow()) || !later.otherwise.equals(Action.allow())) {
            throw new IllegalArgumentException("cannot merge the rules for " + name
                    + " unless both otherwise allow");
        }
        List<Case> all = new ArrayList<>(cases);
        all.addAll(later.cases);
        return new SyscallRule(name, all, otherwise, reason + "; " + later.reason);
    }

    /** {@return the action for these argument values, as the compiled filter decides it} */
    public Action decide(long[] args) {
        for (Case c : cases) {
            if (c.check().matches(args[c.check().argument()])) {
                return c.action();
            }
        }
        return otherwise;
    }
}
