package dev.cordon.internal.exec;

import java.util.Optional;

/** Linux signal names, for reporting how a build script died. */
public final class Signals {
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    private Signals() {
    }

    /**
     * Reads a signal from an exit status the way shells and Bubblewrap report one: {@code 128 + n}.
     *
     * @param exitStatus a process exit status
     * @return the signal's name, e.g. {@code SIGSEGV}, or empty when the status is not a signal death
     */
    public static Optional<String> fromExitStatus(int exitStatus) {
        int signal = exitStatus - 128;
        if (signal <= 0 || signal >= NAMES.length) {
            return Optional.empty();
        }
        return Optional.of(NAMES[signal]);
    }
}
