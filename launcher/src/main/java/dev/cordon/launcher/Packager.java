package dev.cordon.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Packs a team's own runner {@code main} for fast start-up, from the team's merged runner jar (the jar this
 * class is loaded from): the plan daemon's client, the AOT cache and the launcher Cargo points at, in
 * {@code target/cordon} beside the jar by default. Run at {@code package} by exec-maven-plugin, after
 * maven-shade-plugin (see docs/spi-guide.md, "Your own runner main, packaged"):
 *
 * <pre>{@code java -cp target/my-runner.jar dev.cordon.launcher.Packager --main-class com.example.MyRunner}</pre>
 *
 * <p>It unpacks the packaging script, the JVM flags and the client's C source carried in this jar and runs the
 * script ({@code bash} and, for the client, {@code cc} must be on the PATH). Not an API.
 */
public final class Packager {
    private static final List<String> KIT = List.of("package-launcher.sh", "jdk.sh", "cordon-client.c");

    private Packager() {
    }

    /**
     * @param args {@code --main-class CLASS [--out DIR] [--rebuild-hint TEXT]}
     * @throws IOException when the kit cannot be unpacked
     * @throws InterruptedException when interrupted while the script runs
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        String main = null;
        Path out = null;
        String hint = "mvn package";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--main-class" -> main = args[i + 1];
                case "--out" -> out = Path.of(args[i + 1]);
                case "--rebuild-hint" -> hint = args[i + 1];
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (main == null || args.length % 2 != 0) {
            usage("--main-class is missing");
        }
        Path jar = ownJar();
        if (out == null) {
            out = jar.resolveSibling("cordon");
        }
        Path kit = Files.createTempDirectory("cordon-kit");
        try {
            for (String name : KIT) {
                try (InputStream in = Packager.class.getResourceAsStream("kit/" + name)) {
                    if (in == null) {
                        fail(jar + " has no dev/cordon/launcher/kit/" + name + ": merge cordon-launcher's jar whole"
                                + " (maven-shade-plugin without minimizeJar or resource filters on dev/cordon/launcher)");
                    }
                    Files.copy(in, kit.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            List<String> command = new ArrayList<>(List.of("bash", kit.resolve("package-launcher.sh").toString(),
                    "--jar", jar.toString(), "--main-class", main, "--out", out.toAbsolutePath().toString(),
                    "--client-source", kit.resolve("cordon-client.c").toString(),
                    "--jdk-sh", kit.resolve("jdk.sh").toString(), "--rebuild-hint", hint));
            ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
            pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            System.exit(pb.start().waitFor());
        } finally {
            try (Stream<Path> files = Files.walk(kit)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static Path ownJar() {
        try {
            Path jar = Path.of(Packager.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(jar)) {
                fail("Packager runs from " + jar + ", not from a jar: run it with -cp set to the runner's merged jar"
                        + " (the one maven-shade-plugin wrote), which is the class path the AOT cache is trained on");
            }
            return jar;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void usage(String problem) {
        fail(problem + "\nusage: java -cp RUNNER-JAR dev.cordon.launcher.Packager --main-class CLASS"
                + " [--out DIR (default: cordon beside the jar)] [--rebuild-hint TEXT]");
    }

    private static void fail(String message) {
        System.err.println("cordon-launcher: " + message);
        System.exit(64);
    }
}
