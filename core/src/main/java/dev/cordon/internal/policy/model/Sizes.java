package dev.cordon.internal.policy.model;

import java.util.Optional;

/**
 * Sizes as policies write them: a whole number of bytes, or a number with a binary unit: {@code 512KiB},
 * {@code 256MiB}, {@code 4GiB}, {@code 1TiB} (also {@code B}). Decimal units ({@code GB}) are refused so
 * that nobody wonders which one was meant.
 */
public final class Sizes {
    private static final String[] UNITS = {"TiB", "GiB", "MiB", "KiB", "B"};
    private static final int[] SHIFTS = {40, 30, 20, 10, 0};

    private Sizes() {
    }

    /**
     * {@return the number of bytes, or empty when the text is not a size below 2^62 bytes}
     *
     * @param text the text, e.g. {@code "4GiB"}
     */
    public static Optional<Long> parse(String text) {
        String t = text.strip();
        for (int i = 0; i < UNITS.length; i++) {
            if (t.endsWith(UNITS[i])) {
                return number(t.substring(0, t.length() - UNITS[i].length()).strip(), SHIFTS[i]);
            }
        }
        return number(t, 0);
    }

    private static Optional<Long> number(String digits, int shift) {
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        long n = Long.parseLong(digits);
        if (n >= (1L << (62 - shift))) {
            return Optional.empty();
        }
        return Optional.of(n << shift);
    }

    /**
     * {@return the canonical text of a size: the largest binary unit that divides it}
     *
     * @param bytes a number of bytes
     */
    public static String format(long bytes) {
        for (int i = 0; i < UNITS.length - 1; i++) {
            long unit = 1L << SHIFTS[i];
            if (bytes != 0 && bytes % unit == 0) {
                return bytes / unit + UNITS[i];
            }
        }
        return bytes + "B";
    }
}
