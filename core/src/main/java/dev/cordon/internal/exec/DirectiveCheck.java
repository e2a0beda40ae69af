package dev.cordon.internal.exec;

import java.util.Optional;

/**
 * Decides on each line a build script prints on stdout before Cargo sees it: Cargo acts on
 * {@code cargo:} lines outside any sandbox, so a line that would make it run the script's code on the
 * host is refused, and the run ends there.
 */
public interface DirectiveCheck {
    /** Lets every line through. (A class, not a lambda: see docs/performance.md on the cold path.) */
    DirectiveCheck NONE = new DirectiveCheck() {
        @Override
        public Optional<String> refusal(byte[] line, int length) {
            return Optional.empty();
        }
    };

    /**
     * @param line a buffer holding one complete line, without its line ending
     * @param length how many bytes of {@code line} are the line
     * @return why the line is refused, or empty to pass it on unchanged
     */
    Optional<String> refusal(byte[] line, int length);

    /**
     * Decides on the start of a line too long to hold whole; the rest of the line is passed on unchecked when
     * this allows it. By default a line that may be a directive is refused.
     *
     * @param start the first bytes of the line
     * @param length how many
     * @return why the line is refused, or empty to pass it on
     */
    default Optional<String> refusalOfLongLine(byte[] start, int length) {
        return Supervisor.mayBeDirective(start, length)
                ? Optional.of("a line of more than " + Supervisor.MAX_LINE + " bytes that starts like a Cargo directive")
                : Optional.empty();
    }

    /**
     * Decides, once the script and its processes have ended successfully, on what its accepted lines named
     * (a path that a symbolic link made since leads elsewhere, say). By default nothing.
     *
     * @return why the run is refused after all, or empty
     */
    default Optional<String> refusalAtEnd() {
        return Optional.empty();
    }
}
