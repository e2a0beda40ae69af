package dev.cordon.internal.runner;

import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.TimeLimit;
import dev.cordon.internal.exec.Outcome;
import dev.cordon.internal.policy.model.Durations;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The runner's own words. Messages go to stderr with a {@code cordon:} prefix; stdout carries only
 * Cargo protocol lines ({@code cargo::warning=...}) and the output of {@code help}, {@code check} and
 * {@code explain}, which Cargo never calls.
 */
final class Messages {
    private final OutputStream stdout;
    private final OutputStream stderr;

    Messages(OutputStream stdout, OutputStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    void out(String text) {
        write(stdout, text + "\n");
    }

    /** Writes a message that already carries its {@code cordon:} prefix and may end with copyable TOML. */
    void verbatim(String text) {
        write(stderr, text + "\n");
    }

    void error(String text) {
        write(stderr, "cordon: error: " + text.replace("\n", "\ncordon:   ") + "\n");
    }

    void cargoWarning(String text) {
        write(stderr, text + "\n");
        write(stdout, "cargo::warning=" + text.replace('\n', ' ') + "\n");
    }

    /**
     * A warning the user must see whatever the call's outcome: to Cargo as a {@code cargo::warning} when stdout is
     * the build-script protocol (Cargo shows a successful script's stderr to no one), else on stderr only (a
     * binary's or test's stdout is its own output, rustc's is rustc's).
     */
    void warning(RunnerInvocation invocation, String text) {
        RunnerInvocation.Kind kind = invocation.kind();
        if (kind == RunnerInvocation.Kind.BUILD_SCRIPT || kind == RunnerInvocation.Kind.OTHER) {
            cargoWarning(text);
        } else {
            write(stderr, text + "\n");
        }
    }

    /** Warns that a call runs without a sandbox ({@link #warning}). */
    void noSandbox(RunnerInvocation invocation, String why) {
        warning(invocation, switch (invocation.kind()) {
            case RUN -> "cordon: " + invocation.program().getFileName() + " of " + invocation.crateName()
                    + " runs WITHOUT a sandbox (" + why + ")";
            case MACRO -> "cordon: rustc loading the proc macros " + String.join(", ", invocation.procMacros())
                    + " of " + invocation.crateName() + " runs WITHOUT a sandbox (" + why + ")";
            default -> "cordon: the build script of " + invocation.crateName() + " ran WITHOUT a sandbox (" + why + ")";
        });
    }

    void failure(RunnerInvocation invocation, Grant grant, Outcome outcome, List<String> explanation) {
        boolean run = invocation.kind() == RunnerInvocation.Kind.RUN;
        boolean macro = invocation.kind() == RunnerInvocation.Kind.MACRO;
        if ((run || macro) && outcome.timedOut().isEmpty() && outcome.signal().isEmpty() && explanation.isEmpty()) {
            return; // a failing test, a binary's own exit status, a compile error: its output already says why
        }
        StringBuilder out = new StringBuilder();
        String version = invocation.crateVersion().map(v -> " v" + v).orElse("");
        String crate = macro ? "rustc compiling " + invocation.crateName() + version + " with proc macros from "
                + String.join(", ", invocation.procMacros())
                : (run ? invocation.program().getFileName() + " of " : "build script of ") + invocation.crateName()
                        + version;
        if (outcome.timedOut().isPresent()) {
            String limit = outcome.timedOut().get() == TimeLimit.WALL_CLOCK
                    ? "timeout of " + Durations.format(grant.timeout().orElseThrow())
                    : "idle timeout of " + Durations.format(grant.idleTimeout().orElseThrow()) + " without output";
            out.append("cordon: ").append(crate).append(" killed after ")
                    .append(seconds(outcome)).append(": ").append(limit).append(" (policy ")
                    .append(grant.policyName()).append(")\n");
        } else if (outcome.signal().isPresent()) {
            out.append("cordon: ").append(crate).append(" was killed by ")
                    .append(outcome.signal().get()).append(" after ").append(seconds(outcome)).append('\n');
        } else {
            out.append("cordon: ").append(crate).append(" failed with exit status ")
                    .append(outcome.exitCode()).append(" after ").append(seconds(outcome)).append('\n');
        }
        if (!outcome.hangReport().isEmpty()) {
            out.append("cordon: what it was doing when killed:\n");
            outcome.hangReport().forEach(l -> out.append("cordon:   ").append(l).append('\n'));
        }
        if (outcome.signal().isPresent() || outcome.timedOut().isPresent()) {
            List<String> tail = outcome.stderrTail().isEmpty() ? outcome.stdoutTail() : outcome.stderrTail();
            if (!tail.isEmpty()) {
                out.append("cordon: its last lines of output:\n");
                tail.forEach(l -> out.append("cordon: | ").append(l).append('\n'));
            }
        }
        // The backend's explanation may carry the prefix already: never print it twice.
        explanation.forEach(l -> out.append(l.startsWith("cordon: ") ? "" : "cordon: ").append(l).append('\n'));
        write(stderr, out.toString());
    }

    private static String seconds(Outcome outcome) {
        return String.format(java.util.Locale.ROOT, "%.1fs", outcome.elapsed().toMillis() / 1000.0);
    }

    private static void write(OutputStream stream, String text) {
        try {
            synchronized (stream) {
                stream.write(text.getBytes(StandardCharsets.UTF_8));
                stream.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
