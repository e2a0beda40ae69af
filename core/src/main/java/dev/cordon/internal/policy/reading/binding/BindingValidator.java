package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.Finding;
import dev.cordon.internal.policy.reading.KeyPath;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Validates bindings with Hibernate Validator and translates its violations into {@link Finding}s. Only
 * used when a policy is compiled, never on the cached path.
 */
public final class BindingValidator {
    /** Held so the level set on it is not lost to garbage collection. */
    private static final Logger HIBERNATE_LOG = Logger.getLogger("org.hibernate.validator");
    private static final Validator VALIDATOR = bootstrap();

    private BindingValidator() {
    }

    private static Validator bootstrap() {
        // Hibernate Validator logs an INFO version banner; a runner's stderr is the user's build log.
        // jboss-logging picks a backend on its own; pin it to JUL (unless the application chose one) and
        // raise the level, so the banner never prints.
        if (System.getProperty("org.jboss.logging.provider") == null) {
            System.setProperty("org.jboss.logging.provider", "jdk");
        }
        HIBERNATE_LOG.setLevel(Level.WARNING);
        // The message interpolator without Jakarta EL: our messages are literal.
        ValidatorFactory factory = Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory();
        return factory.getValidator();
    }

    /**
     * Validates bindings.
     *
     * @param bindings what was read
     * @return the problems, in no particular order
     */
    public static List<Finding> validate(List<? extends Binding> bindings) {
        List<Finding> findings = new ArrayList<>();
        for (Binding binding : bindings) {
            for (ConstraintViolation<Binding> v : VALIDATOR.validate(binding)) {
                findings.add(translate(binding, v));
            }
        }
        return findings;
    }

    private static Finding translate(Binding binding, ConstraintViolation<Binding> v) {
        String keyPath = binding.keyPath;
        for (Path.Node node : v.getPropertyPath()) {
            if (node.isInIterable()) {
                if (node.getIndex() != null) {
                    keyPath = KeyPath.index(keyPath, node.getIndex());
                } else if (node.getKey() != null) {
                    keyPath = KeyPath.child(keyPath, String.valueOf(node.getKey()));
                }
            }
            if (node.getKind() == ElementKind.PROPERTY && node.getName() != null) {
                keyPath = KeyPath.child(keyPath, kebab(node.getName()));
            }
        }
        String text = v.getMessage();
        int split = text.indexOf(Checked.FIX);
        String message = split < 0 ? text : text.substring(0, split);
        String fix = split < 0 ? "" : text.substring(split + Checked.FIX.length());
        Object value = v.getInvalidValue();
        if (value != null) {
            message = (value instanceof String s ? KeyPath.quote(s) : String.valueOf(value)) + " " + message;
        }
        return new Finding(keyPath, message, fix);
    }

    private static String kebab(String field) {
        StringBuilder out = new StringBuilder();
        for (char c : field.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
