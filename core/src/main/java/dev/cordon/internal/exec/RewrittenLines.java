package dev.cordon.internal.exec;

import java.io.OutputStream;
import java.util.Optional;

/**
 * stderr line by line through a {@link Supervisor.LineRewrite}: each whole line is offered to it; a line longer than
 * {@link Supervisor#MAX_LINE} bytes, and a last line without newline, pass as they are.
 */
final class RewrittenLines {
    private static final byte[] NEWLINE = {'\n'};

    private final OutputStream stderr;
    private final Supervisor.LineRewrite rewrite;
    private byte[] line = new byte[256];
    private int length;
    /** Inside a line longer than {@link Supervisor#MAX_LINE}, passed on as it is up to its newline. */
    private boolean passing;

    RewrittenLines(OutputStream stderr, Supervisor.LineRewrite rewrite) {
        this.stderr = stderr;
        this.rewrite = rewrite;
    }

    void pass(byte[] buffer, int n) {
        int from = 0;
        for (int i = 0; i < n; i++) {
            if (buffer[i] != '\n') {
                continue;
            }
            if (passing || length + i - from > Supervisor.MAX_LINE) {
                Supervisor.write(stderr, line, 0, length);
                Supervisor.write(stderr, buffer, from, i + 1 - from);
            } else {
                line = Supervisor.append(line, length, buffer, from, i - from);
                length += i - from;
                Optional<byte[]> instead = rewrite.rewrite(line, length);
                if (instead.isPresent()) {
                    Supervisor.write(stderr, instead.get(), 0, instead.get().length);
                    Supervisor.write(stderr, NEWLINE, 0, 1);
                } else {
                    line = Supervisor.append(line, length, NEWLINE, 0, 1);
                    Supervisor.write(stderr, line, 0, length + 1);
                }
            }
            passing = false;
            length = 0;
            from = i + 1;
        }
        if (from < n) {
            if (passing || length + n - from > Supervisor.MAX_LINE) { // too long to be a notice: pass it on as it is
                Supervisor.write(stderr, line, 0, length);
                Supervisor.write(stderr, buffer, from, n - from);
                length = 0;
                passing = true;
            } else {
                line = Supervisor.append(line, length, buffer, from, n - from);
                length += n - from;
            }
        }
    }

    void end() {
        if (length > 0) {
            Supervisor.write(stderr, line, 0, length);
            length = 0;
        }
    }
}
