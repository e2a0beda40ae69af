package dev.cordon.internal.daemon;

import dev.cordon.internal.cache.CacheFiles;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The runner's class path as it was when the daemon started: each jar's size, modification time and inode, each
 * classes directory's newest file time. A daemon whose class path changed since must not plan anything:
 * it would be running yesterday's code.
 */
final class ClasspathSnapshot {
    private final List<Path> entries;
    private final List<String> stamps;

    private ClasspathSnapshot(List<Path> entries, List<String> stamps) {
        this.entries = entries;
        this.stamps = stamps;
    }

    /** {@return the class path of this JVM, stamped now} */
    static ClasspathSnapshot ofThisJvm() {
        List<Path> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                entries.add(Path.of(entry).toAbsolutePath());
            }
        }
        return new ClasspathSnapshot(List.copyOf(entries), stamp(entries));
    }

    /** {@return the first entry that changed since the snapshot, if any} */
    java.util.Optional<Path> changed() {
        List<String> now = stamp(entries);
        for (int i = 0; i < entries.size(); i++) {
            if (!Objects.equals(now.get(i), stamps.get(i))) {
                return java.util.Optional.of(entries.get(i));
            }
        }
        return java.util.Optional.empty();
    }

    private static List<String> stamp(List<Path> entries) {
        List<String> stamps = new ArrayList<>(entries.size());
        for (Path entry : entries) {
            stamps.add(stamp(entry));
        }
        return stamps;
    }

    private static String stamp(Path entry) {
        try {
            if (Files.isDirectory(entry)) {
                try (Stream<Path> files = Files.walk(entry)) {
                    long newest = files.mapToLong(ClasspathSnapshot::modified).max().orElse(0);
                    return "dir " + newest;
                }
            }
            // A jar: size, time and inode, the same stamp the discovery cache keeps (missing or not).
            return "file " + CacheFiles.stamp(entry);
        } catch (IOException | UncheckedIOException e) {
            return "unreadable " + e.getMessage();
        }
    }

    private static long modified(Path path) {
        try {
            return Files.getLastModifiedTime(path).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
