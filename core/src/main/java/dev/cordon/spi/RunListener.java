package dev.cordon.spi;

import dev.cordon.RunEvent;

/**
 * Hears about every build script a runner ran: for audit logs, metrics, build dashboards.
 *
 * <p>Listeners are found with {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.cordon.spi.RunListener} and in {@code module-info} with {@code provides})
 * or added with {@link dev.cordon.Runner.Builder#listener}. The built-in JSON Lines audit log is switched
 * on with the environment variable {@code CORDON_AUDIT_LOG}.
 *
 * <p>A listener must not throw; when one does, the runner logs the failure to stderr and carries on:
 * a listener never changes the build's outcome. Several runner processes (parallel Cargo jobs) may call
 * their own listener instances at the same time, so a listener writing to a shared sink must make each
 * record one atomic write.
 *
 * @since 0.1
 */
public interface RunListener {

    /** {@return a unique, stable id, e.g. {@code "jsonl-audit-log"}; duplicates are rejected} */
    String id();

    /**
     * Called once after each build script ended, however it ended (exit, signal, timeout), and before
     * the runner exits.
     *
     * @param event what ran and how it ended; never null
     */
    void finished(RunEvent event);
}
