package dev.cordon.internal.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where one runner call spends its time, printed to stderr when {@code CORDON_TRACE=1}. Off by default,
 * and then it costs one comparison per phase.
 */
final class PhaseTimer {
    /** A timer that records nothing. */
    static final PhaseTimer OFF = new PhaseTimer(false, OutputStream.nullOutputStream());

    private final boolean on;
    private final OutputStream stderr;
    private final StringBuilder line = new StringBuilder("cordon: trace:");
    private long last = System.nanoTime();

    PhaseTimer(boolean on, OutputStream stderr) {
        this.on = on;
        this.stderr = stderr;
    }

    void mark(String phase) {
        if (!on) {
            return;
        }
        long now = System.nanoTime();
        line.append(' ').append(phase).append('=').append((now - last) / 100_000 / 10.0).append("ms");
        last = now;
    }

    void print() {
        if (!on) {
            return;
        }
        try {
            stderr.write(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
            stderr.flush();
        } catch (IOException e) {
            // tracing is best effort
        }
    }
}
