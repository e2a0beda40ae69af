package dev.cordon.internal.directives;

import java.util.Optional;

/**
 * The firewall's answer for one line.
 *
 * @param refusal the message for the build log when the line is refused, naming the directive, the crate,
 *     the reason and the policy that would allow it; empty when the line may reach Cargo
 */
public record Verdict(Optional<String> refusal) {
    private static final Verdict ALLOWED = new Verdict(Optional.empty());

    /** Checks the component. */
    public Verdict {
        java.util.Objects.requireNonNull(refusal, "refusal");
    }

    /** {@return the verdict for a line that may pass} */
    public static Verdict allow() {
        return ALLOWED;
    }

    /**
     * @param message the refusal message
     * @return a refusing verdict
     */
    public static Verdict refuse(String message) {
        return new Verdict(Optional.of(message));
    }

    /** {@return whether the line may reach Cargo, byte for byte} */
    public boolean allowed() {
        return refusal.isEmpty();
    }
}
