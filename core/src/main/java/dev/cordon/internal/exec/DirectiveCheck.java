package dev.cordon.internal.exec;

import java.util.Optional;

/**
 * Decides on each line a build script prints on stdout before Cargo sees it: Cargo acts on
 * {@code cargo:} lines outside any sandbox, so a line that would make it run the script's code on the
 * host is refused, and the run ends there.
 */
@FunctionalInterface
public interface DirectiveCheck {
    /** Lets every line through. */
    DirectiveCheck NONE = (line, length) -> Optional.empty();

    /**
     * @param line a buffer holding one complete line, without its line ending
     * @param length how many bytes of {@code line} are the line
     * @return why the line is refused, or empty to pass it on unchanged
     */
    Optional<String> refusal(byte[] line, int length);
}
