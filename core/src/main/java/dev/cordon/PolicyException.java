package dev.cordon;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A policy could not be used: it is malformed, has unknown keys or wrong types, or names a file that
 * does not exist. Nothing runs when one is thrown.
 *
 * @since 0.1
 */
public final class PolicyException extends CordonException {
    private static final long serialVersionUID = 1L;

    private final transient List<PolicyViolation> violations;

    /**
     * Creates an exception listing every violation found.
     *
     * @param violations at least one violation
     * @param exitCode {@link ExitCodes#INVALID_POLICY} or {@link ExitCodes#POLICY_NOT_FOUND}
     */
    public PolicyException(List<PolicyViolation> violations, int exitCode) {
        super(summarise(violations), exitCode);
        this.violations = List.copyOf(violations);
    }

    /** {@return every violation found, in file order; never empty} */
    public List<PolicyViolation> violations() {
        return violations;
    }

    private static String summarise(List<PolicyViolation> violations) {
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("a PolicyException needs at least one violation");
        }
        String head = violations.size() == 1 ? "invalid policy: " : "invalid policy (" + violations.size()
                + " problems):\n  ";
        return head + violations.stream().map(PolicyViolation::describe).collect(Collectors.joining("\n  "));
    }
}
