package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.ValueChecks;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

/** Runs {@link ValueChecks} for {@link Checked} and reports the check's own message and fix. */
public final class CheckedValidator implements ConstraintValidator<Checked, Object> {
    private ValueChecks.Kind kind;

    /** Creates the validator (Jakarta Validation instantiates it). */
    public CheckedValidator() {
    }

    @Override
    public void initialize(Checked annotation) {
        kind = annotation.value();
    }

    @Override
    public boolean isValid(Object value, ConstraintValidatorContext context) {
        Optional<ValueChecks.Problem> problem = ValueChecks.check(kind, value);
        if (problem.isEmpty()) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate(escape(problem.get().message() + Checked.FIX
                + problem.get().fix())).addConstraintViolation();
        return false;
    }

    /** Message templates treat braces, '$' and '\' specially; checks' texts are literal. */
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
}
