package dev.cordon.internal.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Folders the runner made and a sandbox wrote: removed without ever following a link a script left in them. */
final class Trees {
    private Trees() {
    }

    /**
     * Removes {@code root} and everything under it; a symbolic link is removed itself, never what it names.
     *
     * @param root a folder or file; nothing happens when it does not exist
     * @throws IOException when something cannot be removed
     */
    static void delete(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) { // (no FOLLOW_LINKS: links are entries, not folders)
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
