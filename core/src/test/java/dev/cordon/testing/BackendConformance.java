package dev.cordon.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Runner;
import dev.cordon.spi.SandboxBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend conformance kit: the same benign and hostile build scripts, run through the real
 * {@link Runner} with Cordon's default policy, against any {@link SandboxBackend}. A backend module
 * extends this class, returns its backend, and guards the tests that need its platform (a missing tool
 * fails in CI through {@link RequiredTools}; a platform that cannot run the backend skips with a reason).
 *
 * <p>The scripts are portable {@code /bin/sh} (or bash for the network probe) so the kit runs unchanged
 * on Linux and macOS. Each hostile test asserts from the host side where it can.
 */
public abstract class BackendConformance {
    private static final String SECRET = "BEGIN-FAKE-KEY-planted-by-the-conformance-kit";

    @TempDir
    protected Path dir;

    private Path home;
    private Path pkg;
    private Path build;
    private Path outDir;
    private final Map<String, String> env = new TreeMap<>();

    /** {@return the backend under test} */
    protected abstract SandboxBackend backend();

    /** Fails (CI) or skips (elsewhere) when this machine cannot run the backend. */
    protected abstract void requirePlatform();

    @BeforeEach
    void layOut() throws IOException {
        requirePlatform();
        home = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_ed25519"), SECRET + "\n");
        pkg = Files.createDirectories(dir.resolve("pkg"));
        Files.writeString(pkg.resolve("Cargo.toml"), "[package]\nname = \"conformance\"\n");
        build = Files.createDirectories(pkg.resolve("target/debug/build/conformance-0123456789abcdef"));
        outDir = Files.createDirectories(build.resolve("out"));
        env.put("HOME", home.toString());
        env.put("PATH", "/usr/bin:/bin");
        env.put("OUT_DIR", outDir.toString());
        env.put("CARGO_PKG_NAME", "conformance");
        env.put("CARGO_PKG_VERSION", "0.1.0");
        env.put("CARGO_MANIFEST_DIR", pkg.toString());
    }

    /** What one run printed and how it ended. */
    protected record Run(int exitCode, String stdout, String stderr) {
    }

    /**
     * Runs a script as the build script, through the runner with the default policy and this backend.
     *
     * @param interpreter {@code /bin/sh} or {@code /bin/bash}
     * @param body the script after its {@code #!} line
     * @return what happened
     */
    protected Run run(String interpreter, String body) throws IOException {
        Path script = build.resolve("build-script-build");
        Files.writeString(script, "#!" + interpreter + "\n" + body);
        // Readable and executable by all, as rustc leaves build scripts: a root runner runs them as another user.
        assertTrue(script.toFile().setExecutable(true, false) && script.toFile().setReadable(true, false));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Runner.builder().discoverProviders(false).backend(backend()).pinBackend(backend().id())
                .environment(env).workingDirectory(pkg).stdout(out).stderr(err).build().run(script.toString());
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void conformance_benignScriptWritesOutDirAndTmpdir() throws IOException {
        Run run = run("/bin/sh", "echo 'pub const X: u8 = 1;' > \"$OUT_DIR/gen.rs\" && echo scratch > \"$TMPDIR/x\""
                + " && echo cargo::rustc-cfg=conformance\n");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("cargo::rustc-cfg=conformance\n", run.stdout(), "stdout is Cargo's protocol, untouched");
        assertEquals("pub const X: u8 = 1;\n", Files.readString(outDir.resolve("gen.rs")));
    }

    @Test
    void conformance_exitCodeIsTheScripts() throws IOException {
        assertEquals(3, run("/bin/sh", "echo failing >&2; exit 3\n").exitCode());
    }

    @Test
    void conformance_hidesSshKeys() throws IOException {
        Run run = run("/bin/sh", "cat \"$HOME/.ssh/id_ed25519\"\n");
        assertNotEquals(0, run.exitCode(), "reading the planted key succeeded");
        assertFalse(run.stdout().contains(SECRET) || run.stderr().contains(SECRET), "the key leaked");
    }

    @Test
    void conformance_refusesWritesToThePackageDirectory() throws IOException {
        Run run = run("/bin/sh", "echo planted > \"$CARGO_MANIFEST_DIR/planted.rs\"\n");
        assertNotEquals(0, run.exitCode());
        assertFalse(Files.exists(pkg.resolve("planted.rs")), "the script wrote its package directory");
    }

    @Test
    void conformance_refusesWritesOutsideOutDir() throws IOException {
        Run run = run("/bin/sh", "echo planted > \"$OUT_DIR/../../../../planted\"\n");
        assertNotEquals(0, run.exitCode());
        assertFalse(Files.exists(pkg.resolve("target/planted")), "the script wrote the target dir root");
    }

    @Test
    void conformance_dropsSecretEnvironment() throws IOException {
        env.put("AWS_SECRET_ACCESS_KEY", SECRET);
        env.put("MY_API_TOKEN", SECRET);
        Run run = run("/bin/sh", "env\n");
        assertEquals(0, run.exitCode(), run.stderr());
        assertFalse(run.stdout().contains(SECRET), "a secret variable reached the script");
        assertTrue(run.stdout().contains("OUT_DIR="), run.stdout());
    }

    /** Issue 12, item 5: the secret test comes first, whatever prefix the defaults let through. */
    @Test
    void conformance_dropsSecretsUnderAllowedPrefixes() throws IOException {
        for (String name : List.of("OPENSSL_KEY_PASS", "CMAKE_REMOTE_CACHE_AUTH", "PKG_CONFIG_FOO_DEPLOY",
                "DEP_OPENSSL_PASSWORD", "CARGO_CFG_API_TOKEN", "CARGO_FEATURE_TOKEN")) {
            env.put(name, SECRET + "-" + name);
        }
        env.put("CARGO_FEATURE_PASSWORD_HASHING", "1");
        Run run = run("/bin/sh", "env\n");
        assertEquals(0, run.exitCode(), run.stderr());
        assertFalse(run.stdout().contains(SECRET), "a secret variable reached the script:\n" + run.stdout());
        assertTrue(run.stdout().contains("CARGO_FEATURE_PASSWORD_HASHING=1"), "Cargo's feature flags still pass");
    }

    /**
     * Issue 12, item 4: Cargo's registry tokens are hidden wherever {@code CARGO_HOME} points, not only
     * under {@code $HOME} (the official Rust images use {@code /usr/local/cargo}).
     */
    @Test
    void conformance_hidesCargoCredentialsOutsideHome() throws IOException {
        // Somewhere the sandbox shows (as /usr/local/cargo is on the read-only root): inside the package.
        Path cargoHome = Files.createDirectories(pkg.resolve("usr-local-cargo"));
        Files.createDirectories(cargoHome.resolve("registry"));
        Files.writeString(cargoHome.resolve("credentials.toml"), "[registry]\ntoken = \"" + SECRET + "\"\n");
        Files.writeString(cargoHome.resolve("credentials"), "[registry]\ntoken = \"" + SECRET + "\"\n");
        env.put("CARGO_HOME", cargoHome.toString());
        Run run = run("/bin/sh", "cat \"$CARGO_HOME/credentials.toml\"; cat \"$CARGO_HOME/credentials\"; "
                + "cat " + cargoHome.resolve("credentials.toml") + "\n");
        assertFalse(run.stdout().contains(SECRET) || run.stderr().contains(SECRET), "the token leaked: " + run);
    }

    @Test
    void conformance_deniesNetworkToAHostListener() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(1500);
            Run run = run("/bin/bash", "exec 3<>/dev/tcp/127.0.0.1/" + listener.getLocalPort() + " && echo connected\n");
            assertNotEquals(0, run.exitCode(), "the script connected: " + run.stdout());
            Socket accepted = null;
            try {
                accepted = listener.accept();
            } catch (SocketTimeoutException expected) {
                // nothing arrived: what we want
            }
            assertNull(accepted, "the host listener accepted a connection from the sandbox");
        }
    }
}
