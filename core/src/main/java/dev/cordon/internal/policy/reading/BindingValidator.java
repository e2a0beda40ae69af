package dev.cordon.internal.policy.reading;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.cordon.internal.policy.reading.binding.PolicyFile;
import dev.cordon.internal.policy.reading.constraints.Messages;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Validates a bound policy with Hibernate Validator (the constraints are on the binding classes) and
 * translates its violations into {@link Finding}s: the property path becomes the TOML key path, the
 * message is split into what is wrong and the fix, and a string or integer value is quoted in front.
 */
final class BindingValidator {
    /** Held so the level set on it is not lost to garbage collection. */
    private static final Logger HIBERNATE_LOG = Logger.getLogger("org.hibernate.validator");
    /**
     * The validator, bootstrapped once: by {@link #prepare} on its own thread while Jackson parses and binds
     * (the two are independent, and each costs a few hundred milliseconds in a cold JVM; see
     * docs/performance.md), or by the first {@link #validate} if nothing prepared it.
     */
    private static final FutureTask<Validator> VALIDATOR = new FutureTask<>(BindingValidator::bootstrap);
    private static final AtomicBoolean PREPARING = new AtomicBoolean();
    private static final PropertyNamingStrategies.NamingBase KEBAB =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.KEBAB_CASE;
    /** The field of {@code SectionTable} whose map keys are key paths already ({@code sqlx}, {@code crates.env}). */
    private static final String CRATE_TABLES = "crateTables";

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

    /** Starts bootstrapping the validator on a daemon thread, once; {@link #validate} waits for it. */
    static void prepare() {
        if (PREPARING.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("cordon-validator-bootstrap").start(VALIDATOR);
        }
    }

    private static Validator validator() {
        VALIDATOR.run(); // bootstraps here unless prepare() did or does; then only waits
        try {
            return VALIDATOR.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the validator could not start", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the validator started", e);
        }
    }

    /**
     * Validates a bound policy.
     *
     * @param file what was bound
     * @return the problems, by key path relative to the bound table, in no particular order
     */
    static List<Finding> validate(PolicyFile file) {
        List<Finding> findings = new ArrayList<>();
        for (ConstraintViolation<PolicyFile> v : validator().validate(file)) {
            findings.add(translate(v));
        }
        return findings;
    }

    private static Finding translate(ConstraintViolation<PolicyFile> v) {
        String keyPath = "";
        String previous = null;
        for (Path.Node node : v.getPropertyPath()) {
            if (node.isInIterable() && node.getIndex() != null) {
                keyPath = KeyPath.index(keyPath, node.getIndex());
            } else if (node.isInIterable() && node.getKey() != null) {
                String key = String.valueOf(node.getKey());
                keyPath = CRATE_TABLES.equals(previous) ? keyPath + "." + key : KeyPath.child(keyPath, key);
            }
            if (node.getKind() == ElementKind.PROPERTY && !CRATE_TABLES.equals(node.getName())) {
                keyPath = KeyPath.child(keyPath, KEBAB.translate(node.getName()));
            }
            previous = node.getName();
        }
        String text = v.getMessage();
        int split = text.indexOf(Messages.FIX);
        String message = split < 0 ? text : text.substring(0, split);
        String fix = split < 0 ? "" : text.substring(split + Messages.FIX.length());
        Object value = v.getInvalidValue();
        if (value instanceof String s) {
            message = KeyPath.quote(s) + " " + message;
        } else if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            message = value + " " + message;
        }
        return new Finding(keyPath, message, fix);
    }
}
