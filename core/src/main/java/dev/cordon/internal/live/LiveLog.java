package dev.cordon.internal.live;

import dev.cordon.LiveLogSink;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.exec.Supervisor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;

/**
 * Copies each output line of a build script, as it arrives, to a live log:
 * {@code 12:03:04.123 [ring] stderr| compiling crypto/curve25519.c}. Cargo still gets the untouched
 * bytes; this is a second copy for people.
 *
 * <p>Asked for with {@code CORDON_LIVE_LOG} or a grant's {@link dev.cordon.Grant#liveLog()} ({@link LiveLogSink}):
 * {@code stderr} writes to the runner's stderr, {@code tty} to the terminal; any other value names a file,
 * appended to by every build script of the build (an absolute path, or a path relative to Cargo's target
 * directory, e.g. {@code cordon/live.log}).
 */
public final class LiveLog implements Supervisor.LineListener {
    /** The environment variable that switches live output on. */
    public static final String VARIABLE = "CORDON_LIVE_LOG";

    private final String crate;
    private final LineSink sink;
    private final Clock clock;

    /**
     * @param crate the crate name printed on every line
     * @param sink where lines go
     * @param clock the clock for the timestamps (local time of its zone)
     */
    public LiveLog(String crate, LineSink sink, Clock clock) {
        this.crate = crate;
        this.sink = sink;
        this.clock = clock;
    }

    /**
     * @param invocation the build-script call (for the crate name and the target directory)
     * @param environment the runner's environment
     * @param stderr the runner's stderr, for {@code CORDON_LIVE_LOG=stderr}
     * @return the live log asked for, if any
     */
    public static Optional<LiveLog> fromEnvironment(RunnerInvocation invocation, Map<String, String> environment,
            OutputStream stderr) {
        String value = environment.get(VARIABLE);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        LiveLogSink sink;
        try {
            sink = LiveLogSink.parse(value);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a live log is a convenience: an unusable value only loses the copy
        }
        return Optional.of(of(invocation, sink, stderr));
    }

    /**
     * The live log a grant asks for ({@code live-log} in the policy), unless {@code CORDON_LIVE_LOG} is set:
     * the variable applies to every crate and wins.
     *
     * @param invocation the build script's call
     * @param grantSink the grant's {@code live-log}, if any
     * @param environment the runner's environment
     * @param stderr the runner's stderr, for {@code "stderr"}
     * @return the live log, or empty when neither asks for one
     */
    public static Optional<LiveLog> forRun(RunnerInvocation invocation, Optional<LiveLogSink> grantSink,
            Map<String, String> environment, OutputStream stderr) {
        Optional<LiveLog> fromEnvironment = fromEnvironment(invocation, environment, stderr);
        return fromEnvironment.isPresent() || grantSink.isEmpty() ? fromEnvironment
                : Optional.of(of(invocation, grantSink.get(), stderr));
    }

    private static LiveLog of(RunnerInvocation invocation, LiveLogSink value, OutputStream stderr) {
        // "tty": the terminal Cargo was started from, which Cargo's own output capture does not reach; when the
        // build has no terminal (CI), opening it fails and the lines are dropped like any live-log failure.
        // instanceof, not a pattern switch: a type switch spins a class at run time (PackagedRunnerIT).
        LineSink sink = value instanceof LiveLogSink.File file ? LineSink.appendingTo(target(invocation, file.path()))
                : value == LiveLogSink.STDERR ? LineSink.of(stderr) : LineSink.appendingTo(Path.of("/dev/tty"));
        return new LiveLog(invocation.crateName(), sink, Clock.system(ZoneId.systemDefault()));
    }

    private static Path target(RunnerInvocation invocation, Path path) {
        if (path.isAbsolute()) {
            return path.normalize();
        }
        Path base = invocation.targetDir().orElse(invocation.workingDirectory());
        return base.resolve(path).normalize();
    }

    @Override
    public void line(String stream, String line) {
        String time = LocalTime.now(clock).format(Time.FORMAT);
        String text = time + " [" + crate + "] " + stream + "| " + line + "\n";
        try {
            sink.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // A live log is a convenience: losing it must never disturb the build script or Cargo.
        }
    }

    /** The timestamp format, in a holder: loading java.time.format costs every cold start, live log or not. */
    private static final class Time {
        static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

        private Time() {
        }
    }
}
