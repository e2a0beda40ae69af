package dev.cordon.internal.policy.reading.constraints;

import dev.cordon.internal.policy.model.Rules;
import dev.cordon.internal.policy.model.Sizes;
import jakarta.validation.ConstraintValidatorContext;
import java.math.BigInteger;
import java.util.Optional;

/**
 * The values of {@code limits}: an integer, a string ({@code "4GiB"}, {@code "256"}), or {@code "unlimited"}.
 * As with durations, TOML cannot say "an integer or a string", so the fields are bound as {@code Object}
 * and {@link Count} and {@link ByteSize} check the type with the value.
 */
public final class LimitValues {
    /** The value of a limit that switches it off. */
    public static final String UNLIMITED = "unlimited";

    private LimitValues() {
    }

    /**
     * {@return the count or bytes of a valid limit value, {@link Rules#UNLIMITED} for "unlimited"}
     *
     * @param value an integer or a String that passed {@link Count} or {@link ByteSize}
     * @param size whether it is a size ({@code memory}, {@code output})
     */
    public static long toLong(Object value, boolean size) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        String text = value.toString().strip();
        if (text.equals(UNLIMITED)) {
            return Rules.UNLIMITED;
        }
        return size ? Sizes.parse(text).orElseThrow() : Long.parseLong(text);
    }

    static boolean check(Object value, boolean size, long min, long max, ConstraintValidatorContext context) {
        String example = size ? "write a size with a binary unit, e.g. \"512MiB\" or \"4GiB\", a whole number of"
                + " bytes, or \"unlimited\"" : "write a whole number, e.g. 256, or \"unlimited\"";
        long n;
        if (value == null) {
            return true;
        } else if (value instanceof Integer || value instanceof Long) {
            n = ((Number) value).longValue();
        } else if (value instanceof BigInteger huge) {
            n = huge.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        } else if (value instanceof String s) {
            String text = s.strip();
            if (text.equals(UNLIMITED)) {
                return true;
            }
            Optional<Long> parsed = size ? Sizes.parse(text)
                    : Optional.ofNullable(text.matches("[0-9]{1,18}") ? Long.parseLong(text) : null);
            if (parsed.isEmpty()) {
                if (size && text.matches("[0-9]+ ?[kKMGT]B?")) {
                    return Messages.report(context, "uses a decimal or ambiguous unit",
                            "write binary units: KiB, MiB, GiB or TiB, e.g. \"4GiB\"");
                }
                return Messages.report(context, size ? "is not a size" : "is not a count", example);
            }
            n = parsed.get();
        } else {
            return Messages.report(context, "must be a number or a string, not " + Messages.describe(value),
                    "write e.g. 256, \"4GiB\" or \"unlimited\"");
        }
        if (n < min || n > max) {
            String low = size ? Sizes.format(min) : Long.toString(min);
            String high = size ? Sizes.format(max) : Long.toString(max);
            return Messages.report(context, "is outside " + low + ".." + high, "write a value in that range, or \"unlimited\"");
        }
        return true;
    }
}
