package dev.cordon.internal.policy.reading.constraints;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import dev.cordon.internal.policy.evaluation.BuildScriptEnvironment;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/** An {@code env.drop} entry must not name a variable Cargo sets for every build script. */
@Documented
@Constraint(validatedBy = NotSetByCargo.Validator.class)
@Target({FIELD, TYPE_USE})
@Retention(RUNTIME)
public @interface NotSetByCargo {
    /** {@return the message} */
    String message() default "is set by Cargo for every build script and cannot be dropped" + Messages.FIX
            + "remove it from drop; use env.set to override its value instead";

    /** {@return the groups} */
    Class<?>[] groups() default {};

    /** {@return the payload} */
    Class<? extends Payload>[] payload() default {};

    /** Checks {@link NotSetByCargo}. */
    final class Validator implements ConstraintValidator<NotSetByCargo, String> {
        /** Created by Jakarta Validation. */
        public Validator() {
        }

        @Override
        public boolean isValid(String name, ConstraintValidatorContext context) {
            return name == null || !BuildScriptEnvironment.isCargoVariable(name);
        }
    }
}
