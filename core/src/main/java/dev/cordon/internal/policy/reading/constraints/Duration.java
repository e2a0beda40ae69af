package dev.cordon.internal.policy.reading.constraints;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import dev.cordon.internal.policy.model.Durations;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.math.BigInteger;
import java.util.Optional;

/**
 * The value is a positive duration of at most a year: a string such as {@code "500ms"}, {@code "90s"},
 * {@code "10m"}, {@code "1h"}, or an integer of seconds. TOML has no type for "a string or an integer", so
 * the field is bound as {@code Object} and the type is checked here with the value.
 */
@Documented
@Constraint(validatedBy = Duration.Validator.class)
@Target({FIELD, TYPE_USE})
@Retention(RUNTIME)
public @interface Duration {
    /** {@return the message (a validator reports its own)} */
    String message() default "is invalid";

    /** {@return the groups} */
    Class<?>[] groups() default {};

    /** {@return the payload} */
    Class<? extends Payload>[] payload() default {};

    /** Checks {@link Duration}. */
    final class Validator implements ConstraintValidator<Duration, Object> {
        private static final String EXAMPLE = "write e.g. \"500ms\", \"90s\", \"10m\", \"1h\" or an integer of seconds";
        private static final String POSITIVE = "write a duration greater than zero, e.g. \"10m\"";

        /** Created by Jakarta Validation. */
        public Validator() {
        }

        @Override
        public boolean isValid(Object value, ConstraintValidatorContext context) {
            Optional<java.time.Duration> d;
            if (value == null) {
                return true;
            } else if (value instanceof Integer || value instanceof Long) {
                d = Durations.ofSeconds(((Number) value).longValue());
            } else if (value instanceof BigInteger) {
                d = Optional.empty();
            } else if (value instanceof String text) {
                String t = text.strip();
                if (t.startsWith("-") && Durations.parse(t.substring(1)).isPresent()) {
                    return Messages.report(context, "must be positive", POSITIVE);
                }
                d = Durations.parse(t);
            } else {
                return Messages.report(context, "must be a duration, not " + Messages.describe(value), EXAMPLE);
            }
            if (d.isEmpty()) {
                return Messages.report(context, "is not a duration of at most a year", EXAMPLE);
            }
            return d.get().isPositive() || Messages.report(context, "must be positive", POSITIVE);
        }
    }
}
