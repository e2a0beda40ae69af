package dev.cordon.internal.policy.reading.constraints;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import dev.cordon.internal.policy.model.PathSpec;
import dev.cordon.internal.text.Suggestions;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The string is a path of {@code filesystem-access}: absolute and normalised, relative to the policy's folder
 * without climbing above it, or starting with a known variable ({@code $OUT_DIR/gen}) without climbing above
 * its value. What passes is what {@link PathSpec#parse} accepts.
 */
@Documented
@Constraint(validatedBy = PolicyPath.Validator.class)
@Target({FIELD, TYPE_USE})
@Retention(RUNTIME)
public @interface PolicyPath {
    /** {@return the message (a validator reports its own)} */
    String message() default "is invalid";

    /** {@return the groups} */
    Class<?>[] groups() default {};

    /** {@return the payload} */
    Class<? extends Payload>[] payload() default {};

    /** Checks {@link PolicyPath}. */
    final class Validator implements ConstraintValidator<PolicyPath, String> {
        /** Created by Jakarta Validation. */
        public Validator() {
        }

        @Override
        public boolean isValid(String text, ConstraintValidatorContext context) {
            if (text == null) {
                return true;
            }
            if (text.isEmpty()) {
                return Messages.report(context, "is an empty path", "write a path, e.g. \"$OUT_DIR\" or \"data/db.sqlite\"");
            }
            if (text.indexOf('\0') >= 0) {
                return Messages.report(context, "contains a NUL character", "remove it");
            }
            if (text.startsWith("~")) {
                return Messages.report(context, "starts with '~', which is not expanded", "write $HOME instead of ~");
            }
            try {
                return check(text, context);
            } catch (InvalidPathException e) {
                return Messages.report(context, "is not a valid path: " + e.getReason(), "write a plain file system path");
            }
        }

        private static boolean check(String text, ConstraintValidatorContext context) {
            PathSpec.Parts parts = PathSpec.split(text);
            if (parts.variable() != null) {
                String variable = parts.variable();
                if (variable.startsWith("?")) {
                    return Messages.report(context, "has a malformed variable",
                            "write $NAME/rest or ${NAME}/rest, e.g. \"$OUT_DIR/gen\"");
                }
                if (!PathSpec.ALL_VARIABLES.contains(variable)) {
                    String near = Suggestions.nearest(variable, PathSpec.ALL_VARIABLES)
                            .map(s -> "did you mean $" + s + "? ").orElse("");
                    return Messages.report(context, "uses unknown variable $" + variable, near
                            + "known variables: $" + String.join(", $", PathSpec.ALL_VARIABLES));
                }
                if (parts.rest().indexOf('$') >= 0) {
                    return Messages.report(context, "has a variable after the start", "variables may only start a path");
                }
                if (Path.of(parts.rest()).normalize().startsWith("..")) {
                    return Messages.report(context, "climbs above $" + variable + " with '..'",
                            "remove the '..' so the path stays inside $" + variable);
                }
                return true;
            }
            if (text.indexOf('$') >= 0) {
                return Messages.report(context, "has a variable after the start", "variables may only start a path");
            }
            if (text.startsWith("/")) {
                String trimmed = PathSpec.trimSlashes(text);
                String normal = Path.of(trimmed).normalize().toString();
                return normal.equals(trimmed) || Messages.report(context, "is not normalised", "write \"" + normal + "\"");
            }
            return !Path.of(text).normalize().startsWith("..") || Messages.report(context,
                    "climbs above the policy file's folder with '..'",
                    "write an absolute path, or a path starting with a variable such as $WORKSPACE_ROOT");
        }
    }
}
