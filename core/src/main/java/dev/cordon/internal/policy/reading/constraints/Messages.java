package dev.cordon.internal.policy.reading.constraints;

import dev.cordon.internal.policy.reading.KeyPath;
import jakarta.validation.ConstraintValidatorContext;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * What the constraints of the policy share: a message carries its fix after {@link #FIX}, and values are
 * described in TOML's words ("the integer 5", "a table").
 */
public final class Messages {
    /** Separates what is wrong from how to fix it in a constraint's message. */
    public static final String FIX = " ##fix## ";

    private Messages() {
    }

    /**
     * Reports a violation with a message built from the value, replacing the constraint's own.
     *
     * @param context the validator's context
     * @param message what is wrong, a predicate about the value ("has no port")
     * @param fix how to fix it
     * @return false, for {@code isValid} to return
     */
    static boolean report(ConstraintValidatorContext context, String message, String fix) {
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate(escape(message + FIX + fix)).addConstraintViolation();
        return false;
    }

    /** Message templates treat braces, '$' and '\' specially; ours are literal text. */
    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' || c == '}' || c == '$' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * {@return a value's TOML type and text, for messages: {@code the integer 5}, {@code a table}}
     *
     * @param value a value as data binding reads TOML: String, Boolean, a number, List, Map
     */
    public static String describe(Object value) {
        // instanceof rather than a pattern switch: that spins a class at first use (docs/performance.md).
        if (value instanceof Map<?, ?>) {
            return "a table";
        } else if (value instanceof List<?>) {
            return "an array";
        } else if (value instanceof String s) {
            return "the string " + KeyPath.quote(s);
        } else if (value instanceof Boolean b) {
            return "the boolean " + b;
        } else if (value instanceof Long || value instanceof Integer || value instanceof BigInteger) {
            return "the integer " + value;
        } else if (value instanceof Number n) {
            return "the float " + n;
        }
        return value == null ? "nothing" : "the value " + KeyPath.quote(String.valueOf(value));
    }
}
