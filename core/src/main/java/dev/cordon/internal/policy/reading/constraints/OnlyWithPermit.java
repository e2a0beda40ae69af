package dev.cordon.internal.policy.reading.constraints;

import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * A key of an access table that only means something with {@code action = "permit"} ({@code routes},
 * {@code read}) is refused next to {@code action = "deny"}; the violation is reported at that key.
 */
@Documented
@Constraint(validatedBy = OnlyWithPermit.Validator.class)
@Target(TYPE)
@Retention(RUNTIME)
public @interface OnlyWithPermit {
    /** {@return the key that needs permit} */
    String key();

    /** {@return the message, with its fix after {@link Messages#FIX}} */
    String message();

    /** {@return the groups} */
    Class<?>[] groups() default {};

    /** {@return the payload} */
    Class<? extends Payload>[] payload() default {};

    /** An access table: its action, and whether the permit-only key is written. */
    interface Table {
        /** {@return the action as written, or null} */
        String action();

        /** {@return whether the key that needs permit is written} */
        boolean hasPermitOnlyKey();
    }

    /** Checks {@link OnlyWithPermit}. */
    final class Validator implements ConstraintValidator<OnlyWithPermit, Table> {
        private String key;

        /** Created by Jakarta Validation. */
        public Validator() {
        }

        @Override
        public void initialize(OnlyWithPermit annotation) {
            key = annotation.key();
        }

        @Override
        public boolean isValid(Table table, ConstraintValidatorContext context) {
            if (table == null || !"deny".equals(table.action()) || !table.hasPermitOnlyKey()) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(context.getDefaultConstraintMessageTemplate())
                    .addPropertyNode(key).addConstraintViolation();
            return false;
        }
    }
}
