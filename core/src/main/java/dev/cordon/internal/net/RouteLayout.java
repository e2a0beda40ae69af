package dev.cordon.internal.net;

import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.SandboxException;
import dev.cordon.spi.CacheDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the pieces of a route-granted run are, on the host and inside the sandbox: the one place the
 * Bubblewrap planner (which puts them in the plan) and the {@link RouteBroker} (which fills them in)
 * agree on. Exported to the bwrap module only.
 *
 * <p>{@code cordon-netjail} ships in Cordon's jar as {@code cordon-netjail.<uname -m>} with its SHA-256
 * beside it, and is extracted once to {@code <cache folder>/bin/cordon-netjail-<sha256 prefix>}; a
 * team's own main, the cold JVM and the warm daemon find it the same way, and a new Cordon version gets
 * a new file.
 */
public final class RouteLayout {
    /** Where {@code cordon-netjail} is inside the sandbox (under the sandbox's private {@code /run}). */
    public static final String SANDBOX_HELPER = "/run/cordon-net/cordon-netjail";

    private static volatile Path extracted;

    private RouteLayout() {
    }

    /**
     * {@return the generated {@code /etc/hosts} of a run: next to the temporary directory, in the folder
     * that belongs to this one build-script run}
     *
     * @param grant the grant of the run
     */
    public static Path hostsFile(Grant grant) {
        Path tmp = grant.temporaryDirectory().toAbsolutePath();
        return Objects.requireNonNullElse(tmp.getParent(), tmp).resolve("cordon-hosts");
    }

    /**
     * {@return the arguments that start the build script under the route filter inside the sandbox:
     * {@code cordon-netjail install FD --}}
     *
     * @param fd the descriptor the supervisor connection has in the sandbox
     */
    public static List<String> sandboxPrefix(int fd) {
        return List.of(SANDBOX_HELPER, "install", Integer.toString(fd), "--");
    }

    /**
     * {@return {@code cordon-netjail} on the host, extracted from the jar on first use}
     *
     * @throws SandboxException with {@link ExitCodes#UNENFORCEABLE} when this build of Cordon has no
     *     helper for this machine or it cannot be extracted
     */
    public static Path helper() {
        Path path = extracted;
        // A long-lived runner (the plan daemon) outlives files: a cleaned cache folder, a removed temporary HOME.
        // One stat per plan, then a fresh extraction, rather than a path bwrap cannot execute.
        if (path == null || !Files.isExecutable(path)) {
            path = extract();
            extracted = path;
        }
        return path;
    }

    private static synchronized Path extract() {
        // The fast way, once per Cordon jar: a note in the cache folder names the helper extracted for this jar
        // (path, size and time of the jar or class folder). Reading a resource opens the jar a second time,
        // about 10 ms of a cold start.
        Path dir = CacheDirectory.path().orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"),
                "cordon-" + System.getProperty("user.name", "user"))).resolve("bin");
        String source = codeSource();
        Path note = dir.resolve("cordon-netjail.for-" + Integer.toHexString(source.hashCode()));
        String noted = readNote(note);
        if (noted != null && noted.startsWith(source + "\n")) {
            Path helper = Path.of(noted.substring(source.length() + 1).strip());
            // Only a helper this code extracted into the same folder (the note cannot send it elsewhere).
            if (dir.equals(helper.getParent()) && helper.getFileName().toString().startsWith("cordon-netjail-")
                    && Files.isExecutable(helper)) {
                return helper;
            }
        }
        Path helper = extractFromJar(dir);
        try {
            Path temp = Files.createTempFile(dir, "cordon-netjail", ".note");
            Files.writeString(temp, source + "\n" + helper + "\n");
            Files.move(temp, note, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // only the next start is slower
        }
        return helper;
    }

    /** {@return where Cordon's classes come from, with the size and time that change with each build} */
    private static String codeSource() {
        try {
            java.io.File file = new java.io.File(RouteLayout.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
            return file.getAbsolutePath() + " " + file.length() + " " + file.lastModified();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return "unknown " + System.nanoTime(); // never matches a note: extract as before
        }
    }

    private static String readNote(Path note) {
        try (java.io.FileInputStream in = new java.io.FileInputStream(note.toFile())) {
            return new String(in.readNBytes(8192), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static Path extractFromJar(Path dir) {
        String arch = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> System.getProperty("os.arch", "");
        };
        String name = "cordon-netjail." + arch;
        String expected;
        try (InputStream sum = RouteLayout.class.getResourceAsStream(name + ".sha256")) {
            if (sum == null) {
                throw unenforceable("this build of Cordon has no cordon-netjail for " + arch
                        + " (it was built without a C compiler, or not on Linux); rebuild it with cc installed");
            }
            expected = new String(sum.readAllBytes(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw unenforceable("cannot read " + name + ".sha256: " + e.getMessage());
        }
        if (!expected.matches("[0-9a-f]{64}")) {
            throw unenforceable(name + ".sha256 is not a SHA-256: '" + expected + "'");
        }
        Path target = dir.resolve("cordon-netjail-" + expected.substring(0, 16));
        if (Files.isExecutable(target)) {
            return target; // the cache folder is trusted like the policy file (docs/spi.md)
        }
        try (InputStream in = RouteLayout.class.getResourceAsStream(name)) {
            if (in == null) {
                throw unenforceable("this build of Cordon lists " + name + " but does not contain it");
            }
            byte[] bytes = in.readAllBytes();
            String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            if (!actual.equals(expected)) {
                throw unenforceable(name + " in the jar does not match its SHA-256 (" + actual + " != " + expected
                        + "): the jar is damaged");
            }
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path temp = Files.createTempFile(dir, "cordon-netjail", ".tmp");
            Files.write(temp, bytes);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw unenforceable("cannot extract " + name + " to " + dir + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SandboxException unenforceable(String why) {
        return new SandboxException("network routes cannot be enforced: " + why, ExitCodes.UNENFORCEABLE);
    }
}
