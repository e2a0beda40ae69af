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

/** The string is a network route, {@code host:port}; the message says what is missing or wrong. */
@Documented
@Constraint(validatedBy = Route.Validator.class)
@Target({FIELD, TYPE_USE})
@Retention(RUNTIME)
public @interface Route {
    /** {@return the message (a validator reports its own)} */
    String message() default "is invalid";

    /** {@return the groups} */
    Class<?>[] groups() default {};

    /** {@return the payload} */
    Class<? extends Payload>[] payload() default {};

    /** Checks {@link Route} with {@link dev.cordon.Route#parse}, and explains a refusal. */
    final class Validator implements ConstraintValidator<Route, String> {
        private static final String EXAMPLE = "write host:port, e.g. \"127.0.0.1:5432\", \"localhost:5432\" or"
                + " \"[::1]:80\"";

        /** Created by Jakarta Validation. */
        public Validator() {
        }

        @Override
        public boolean isValid(String text, ConstraintValidatorContext context) {
            if (text == null || dev.cordon.Route.parse(text).isPresent()) {
                return true;
            }
            int colon = text.startsWith("[") ? text.indexOf("]:") + 1 : text.lastIndexOf(':');
            if (colon <= 0) {
                return Messages.report(context, "has no port", EXAMPLE);
            }
            if (!text.startsWith("[") && text.indexOf(':') != colon) {
                return Messages.report(context, "is an IPv6 address without brackets",
                        "write it as \"[address]:port\", e.g. \"[::1]:80\"");
            }
            String port = text.substring(colon + 1);
            if (!port.isEmpty() && port.length() < 10 && port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Messages.report(context, "has port " + port + ", which is not between 1 and 65535", EXAMPLE);
            }
            return Messages.report(context, "is not a route", EXAMPLE);
        }
    }
}
