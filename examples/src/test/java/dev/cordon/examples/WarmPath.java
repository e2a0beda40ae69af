package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * The warm path for tests: the plan daemon's client compiled from this checkout's source, and a private
 * runtime directory for the daemon's socket, so a test never meets a daemon of another build.
 */
final class WarmPath {
    private final Path client;
    private final Path runtime;

    private WarmPath(Path client, Path runtime) {
        this.client = client;
        this.runtime = runtime;
    }

    /**
     * Compiles the client with {@code cc} into {@code dir} and makes the runtime directory there.
     *
     * @param dir an empty directory that outlives the tests using it
     * @return the warm path
     */
    static WarmPath in(Path dir) throws IOException, InterruptedException {
        Path cc = RequiredTools.require("cc");
        Path client = dir.resolve("cordon-client");
        Path source = Path.of(System.getProperty("cordon.repositoryRoot"), "launcher/src/main/c/cordon-client.c");
        // As launcher/src/main/sh/package-launcher.sh builds it: static where the C library allows.
        Process p = new ProcessBuilder(cc.toString(), "-O2", "-Wall", "-Werror", "-static", "-o", client.toString(),
                source.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            p = new ProcessBuilder(cc.toString(), "-O2", "-Wall", "-Werror", "-o", client.toString(),
                    source.toString()).inheritIO().start();
            assertEquals(0, p.waitFor(), "cc failed on " + source);
        }
        Path runtime = Files.createDirectory(dir.resolve("runtime"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return new WarmPath(client, runtime);
    }

    /** @param project a project to build through the daemon @return the project */
    CargoProject wire(CargoProject project) {
        return project.env("CORDON_CLIENT", client.toString()).env("XDG_RUNTIME_DIR", runtime.toString())
                .env("CORDON_DAEMON_IDLE", "60").env("CORDON_DAEMON_TRACE", "1");
    }

    /** {@return how many plans the daemons handed out so far} */
    long plansServed() throws IOException {
        try (Stream<Path> files = Files.walk(runtime)) {
            long n = 0;
            for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                n += Files.readAllLines(log).stream().filter(l -> l.contains(": EXEC, DONE ")).count();
            }
            return n;
        }
    }

    /** {@return the daemons' log files} */
    java.util.List<Path> logs() throws IOException {
        try (Stream<Path> files = Files.walk(runtime)) {
            return files.filter(f -> f.toString().endsWith(".log")).toList();
        }
    }

    /** Stops the daemons: removing its socket makes a daemon leave within a second. */
    void stop() throws IOException {
        try (Stream<Path> files = Files.walk(runtime)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".sock")).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
