package dev.cordon.internal.policy.reading.binding;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import dev.cordon.internal.policy.reading.ValueChecks;
import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/** The value must pass {@link ValueChecks#check} for its kind. */
@Documented
@Constraint(validatedBy = CheckedValidator.class)
@Target({FIELD, TYPE_USE})
@Retention(RUNTIME)
public @interface Checked {
    /** Separates the message from the fix in a constraint message. */
    String FIX = " ##fix## ";

    /** {@return the kind of value} */
    ValueChecks.Kind value();

    /** {@return the message (replaced by the check's own)} */
    String message() default "is invalid";

    /** {@return the groups} */
    Class<?>[] groups() default {};

    /** {@return the payload} */
    Class<? extends Payload>[] payload() default {};
}
