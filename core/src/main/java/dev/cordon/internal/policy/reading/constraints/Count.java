package dev.cordon.internal.policy.reading.constraints;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * A count limit ({@code processes}, {@code open-files}): a whole number in a range, or {@code "unlimited"}.
 * The minimum is where the sandbox's own start-up (bwrap, a shell) would fail, which would look like a
 * broken build rather than a limit.
 */
@Documented
@Constraint(validatedBy = Count.Validator.class)
@Target({FIELD, TYPE_USE})
@Retention(RUNTIME)
public @interface Count {
    /** {@return the smallest value} */
    long min();

    /** {@return the largest value} */
    long max();

    /** {@return the message (a validator reports its own)} */
    String message() default "is invalid";

    /** {@return the groups} */
    Class<?>[] groups() default {};

    /** {@return the payload} */
    Class<? extends Payload>[] payload() default {};

    /** Checks {@link Count}. */
    final class Validator implements ConstraintValidator<Count, Object> {
        private long min;
        private long max;

        /** Created by Jakarta Validation. */
        public Validator() {
        }

        @Override
        public void initialize(Count annotation) {
            min = annotation.min();
            max = annotation.max();
        }

        @Override
        public boolean isValid(Object value, ConstraintValidatorContext context) {
            return LimitValues.check(value, false, min, max, context);
        }
    }
}
