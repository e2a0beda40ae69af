package dev.cordon.internal.exec;

import dev.cordon.TimeLimit;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How one executed plan ended.
 *
 * @param exitCode the exit status to end the runner with
 * @param signal the signal that killed the script, if it died of one
 * @param timedOut which time limit killed it, if any
 * @param elapsed the wall-clock time
 * @param stdoutTail the last lines the script wrote to stdout (only when stdout was piped)
 * @param stderrTail the last lines the script wrote to stderr
 * @param hangReport what the hung process was doing when a limit killed it, if it could be read
 * @param refusal why a stdout line was refused and the run stopped, if one was
 */
public record Outcome(int exitCode, Optional<String> signal, Optional<TimeLimit> timedOut, Duration elapsed,
        List<String> stdoutTail, List<String> stderrTail, List<String> hangReport, Optional<String> refusal) {

    /** {@return true when the script exited 0} */
    public boolean succeeded() {
        return exitCode == 0;
    }
}
