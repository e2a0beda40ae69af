package dev.cordon.internal.policy.reading.constraints;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import dev.cordon.internal.text.Suggestions;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.util.List;

/**
 * The string is one of a few words ({@code action}, {@code source}, {@code layers}); the fix names the
 * nearest one. A string rather than an enum, so that a near miss gets "did you mean" instead of Jackson's
 * list of constants.
 */
@Documented
@Constraint(validatedBy = OneOf.Validator.class)
@Target({FIELD, TYPE_USE})
@Retention(RUNTIME)
public @interface OneOf {
    /** {@return the allowed words} */
    String[] value();

    /** {@return what a wrong word is not, e.g. "is not an action"} */
    String message();

    /** {@return the groups} */
    Class<?>[] groups() default {};

    /** {@return the payload} */
    Class<? extends Payload>[] payload() default {};

    /** Checks {@link OneOf}. */
    final class Validator implements ConstraintValidator<OneOf, String> {
        private List<String> allowed;
        private String what;

        /** Created by Jakarta Validation. */
        public Validator() {
        }

        @Override
        public void initialize(OneOf annotation) {
            allowed = List.of(annotation.value());
            what = annotation.message();
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null || allowed.contains(value)) {
                return true;
            }
            String choices = String.join(" or ", allowed.stream().map(a -> "\"" + a + "\"").toList());
            String hint = Suggestions.nearest(value, allowed).map(s -> "did you mean \"" + s + "\"? ").orElse("");
            return Messages.report(context, what, hint + "write " + choices);
        }
    }
}
