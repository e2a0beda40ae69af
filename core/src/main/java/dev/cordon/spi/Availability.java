package dev.cordon.spi;

import java.util.Objects;

/**
 * Whether a provider can work on this machine, and if not, why and how to fix it.
 *
 * @param isAvailable true when the provider can be used
 * @param reason why it cannot, with the fix (e.g. "bwrap not found on PATH: apt-get install
 *     bubblewrap"); empty when available; never null
 * @since 0.1
 */
public record Availability(boolean isAvailable, String reason) {

    private static final Availability AVAILABLE = new Availability(true, "");

    /** Checks the components. */
    public Availability {
        Objects.requireNonNull(reason, "reason");
        if (!isAvailable && reason.isBlank()) {
            throw new IllegalArgumentException("an unavailable provider must say why");
        }
    }

    /** {@return an available result} */
    public static Availability available() {
        return AVAILABLE;
    }

    /**
     * {@return an unavailable result}
     *
     * @param reason why, and how to fix it
     */
    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}
