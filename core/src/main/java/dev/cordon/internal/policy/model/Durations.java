package dev.cordon.internal.policy.model;

import java.time.Duration;
import java.util.Optional;

/** Durations as policies write them: {@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h}, or whole seconds. */
public final class Durations {
    private static final long MAX_SECONDS = 366L * 24 * 3600;

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @param text the text, e.g. {@code "10m"}
     * @return the duration, or empty when the text is not a duration of at most a year
     */
    public static Optional<Duration> parse(String text) {
        String t = text.strip();
        String unit;
        if (t.endsWith("ms")) {
            unit = "ms";
        } else if (t.endsWith("s") || t.endsWith("m") || t.endsWith("h")) {
            unit = t.substring(t.length() - 1);
        } else {
            return Optional.empty();
        }
        String digits = t.substring(0, t.length() - unit.length());
        if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        long n = Long.parseLong(digits);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        return d.getSeconds() > MAX_SECONDS ? Optional.empty() : Optional.of(d);
    }

    /**
     * Converts whole seconds.
     *
     * @param seconds a number of seconds
     * @return the duration, or empty when out of range (more than a year)
     */
    public static Optional<Duration> ofSeconds(long seconds) {
        return seconds > MAX_SECONDS || seconds < -MAX_SECONDS ? Optional.empty() : Optional.of(Duration
                .ofSeconds(seconds));
    }

    /**
     * {@return the canonical text of a duration: the largest unit that divides it}
     *
     * @param d a duration of whole milliseconds
     */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
