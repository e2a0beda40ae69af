package dev.cordon.internal.directives;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The script's stdout on its way to Cargo: splits the bytes into lines, asks the {@link DirectiveFirewall}
 * about each, and writes the allowed ones downstream byte for byte (with their newline, or without one for
 * a last line that has none). After the first refusal nothing more is written: the caller stops the
 * script and fails the run. {@link #close()} does not close the downstream stream.
 */
public final class FirewallOutputStream extends OutputStream {
    private final DirectiveFirewall firewall;
    private final OutputStream downstream;
    private final Consumer<String> onRefusal;
    private byte[] line = new byte[256];
    private int length;
    /** In a line longer than the bound that the firewall let through: copy until the newline. */
    private boolean passing;
    private Optional<String> refusal = Optional.empty();
    private boolean ended;

    /**
     * @param firewall the run's firewall
     * @param downstream Cargo's stdout
     * @param onRefusal told the refusal message once, on the first refused line (e.g. to stop the script)
     */
    public FirewallOutputStream(DirectiveFirewall firewall, OutputStream downstream, Consumer<String> onRefusal) {
        this.firewall = Objects.requireNonNull(firewall, "firewall");
        this.downstream = Objects.requireNonNull(downstream, "downstream");
        this.onRefusal = Objects.requireNonNull(onRefusal, "onRefusal");
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        int end = off + len;
        int i = off;
        while (i < end && refusal.isEmpty()) {
            int nl = indexOf(b, i, end);
            int stop = nl < 0 ? end : nl;
            if (passing) {
                downstream.write(b, i, (nl < 0 ? end : nl + 1) - i);
                passing = nl < 0;
            } else {
                append(b, i, stop - i);
                if (nl >= 0) {
                    lineDone(true);
                } else if (length > DirectiveFirewall.MAX_LINE) {
                    longLine();
                }
            }
            i = nl < 0 ? end : nl + 1;
        }
    }

    private void longLine() throws IOException {
        Verdict v = firewall.checkLongLine(line, 0, length);
        if (!v.allowed()) {
            refuse(v);
            return;
        }
        downstream.write(line, 0, length);
        length = 0;
        passing = true;
    }

    private void lineDone(boolean newline) throws IOException {
        Verdict v = firewall.check(line, 0, length);
        if (!v.allowed()) {
            refuse(v);
            return;
        }
        downstream.write(line, 0, length);
        if (newline) {
            downstream.write('\n');
        }
        length = 0;
    }

    private void refuse(Verdict v) {
        refusal = v.refusal();
        length = 0;
        onRefusal.accept(refusal.get());
    }

    private void append(byte[] b, int off, int len) {
        if (length + len > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + len));
        }
        System.arraycopy(b, off, line, length, len);
        length += len;
    }

    private static int indexOf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void flush() throws IOException {
        downstream.flush();
    }

    /**
     * Ends the stream: checks a last line without a newline, then the firewall's end-of-run checks. Call
     * once the script and its processes have ended.
     *
     * @return the refusal of the run, if any line or the end check was refused
     * @throws IOException when Cargo's stream fails
     */
    public Optional<String> end() throws IOException {
        if (!ended) {
            ended = true;
            if (refusal.isEmpty() && !passing && length > 0) {
                lineDone(false);
            }
            if (refusal.isEmpty()) {
                Verdict v = firewall.finish();
                if (!v.allowed()) {
                    refuse(v);
                }
            }
            downstream.flush();
        }
        return refusal;
    }

    /** {@return the first refusal so far} */
    public Optional<String> refusal() {
        return refusal;
    }

    @Override
    public void close() throws IOException {
        end();
    }
}
