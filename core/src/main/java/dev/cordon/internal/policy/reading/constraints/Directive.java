package dev.cordon.internal.policy.reading.constraints;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import dev.cordon.internal.directives.DirectiveAllowList;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.util.Optional;

/** The string is an entry of {@code directives.allow}, as {@link DirectiveAllowList} reads them. */
@Documented
@Constraint(validatedBy = Directive.Validator.class)
@Target({FIELD, TYPE_USE})
@Retention(RUNTIME)
public @interface Directive {
    /** {@return the message (a validator reports its own)} */
    String message() default "is invalid";

    /** {@return the groups} */
    Class<?>[] groups() default {};

    /** {@return the payload} */
    Class<? extends Payload>[] payload() default {};

    /** Checks {@link Directive}. */
    final class Validator implements ConstraintValidator<Directive, String> {
        /** Created by Jakarta Validation. */
        public Validator() {
        }

        @Override
        public boolean isValid(String text, ConstraintValidatorContext context) {
            Optional<String> problem = text == null ? Optional.empty() : DirectiveAllowList.problem(text);
            return problem.isEmpty() || Messages.report(context, problem.get(), "write a directive as printed after"
                    + " cargo:: (KEY=VALUE), e.g. \"rustc-link-arg=-fuse-ld=lld\"; a trailing '*' matches a prefix");
        }
    }
}
