package dev.cordon.internal.exec;

import java.io.InputStream;
import java.util.Optional;

/**
 * A started plan, as the {@link Supervisor} sees it, whoever started it: its output streams, how to wait
 * for it and how to stop it. The cold path's child is a process of this JVM ({@link LocalSpawner}); the
 * warm path's is a process the thin client started and reports on (the plan daemon's client spawner).
 */
public interface Child {

    /** {@return the read end of the script's stdout} */
    InputStream stdout();

    /** {@return the read end of the script's stderr} */
    InputStream stderr();

    /** {@return the process, for hang reports, while it can be seen from here} */
    Optional<ProcessHandle> process();

    /**
     * Waits for the end of the process.
     *
     * @param nanos at most this long; {@code Long.MAX_VALUE} to wait without limit
     * @return the exit status ({@code 128 + n} for death by signal {@code n}), or empty when still running
     * @throws InterruptedException when interrupted
     */
    Optional<Integer> waitFor(long nanos) throws InterruptedException;

    /** Kills the process and everything it started; returns at once. */
    void kill();
}
