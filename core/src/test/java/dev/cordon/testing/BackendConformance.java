package dev.cordon.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.Runner;
import dev.cordon.spi.SyscallFilterCompiler;
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
import java.util.Optional;
import java.util.ServiceLoader;
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
        return run(interpreter, body, Optional.empty());
    }

    /**
     * Runs a script as the build script, through the runner with a policy and this backend.
     *
     * @param interpreter {@code /bin/sh} or {@code /bin/bash}
     * @param body the script after its {@code #!} line
     * @param policy a policy's TOML text, or empty for the defaults
     * @return what happened
     */
    protected Run run(String interpreter, String body, Optional<String> policy) throws IOException {
        Path script = build.resolve("build-script-build");
        Files.writeString(script, "#!" + interpreter + "\n" + body);
        // Readable and executable by all, as rustc leaves build scripts: a root runner runs them as another user.
        assertTrue(script.toFile().setExecutable(true, false) && script.toFile().setReadable(true, false));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Runner.Builder runner = Runner.builder().discoverProviders(false).backend(backend())
                .pinBackend(dev.cordon.BackendChoice.of(backend().id()))
                .environment(env).workingDirectory(pkg).stdout(out).stderr(err);
        if (policy.isPresent()) {
            runner.policy(Policies.parse(policy.get(), dir.resolve("cordon.toml")));
        }
        for (SyscallFilterCompiler compiler : ServiceLoader.load(SyscallFilterCompiler.class)) {
            runner.syscallFilterCompiler(compiler);
        }
        int code = runner.build().run(script.toString());
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

    /**
     * Issue 12, item 2: run as root (as CI containers do), the runner gives the script no more than an
     * ordinary user: the kernel's global settings, root-only files and {@code /sys} are closed to it, and
     * what it writes belongs to the build's user afterwards. (As an ordinary user the same holds.)
     */
    @Test
    void conformance_rootRunnerGivesTheScriptNoMoreThanAnOrdinaryUser() throws IOException {
        Path corePattern = Path.of("/proc/sys/kernel/core_pattern");
        String before = Files.exists(corePattern) ? Files.readString(corePattern) : "";
        // Each probe writes back the value already there: harmless if it works, and proof that it could.
        Run run = run("/bin/sh", """
                p=$(cat /proc/sys/kernel/core_pattern)
                if printf '%s\\n' "$p" > /proc/sys/kernel/core_pattern 2>/dev/null; then echo ESCAPED sysctl; fi
                l=$(cat /proc/sys/kernel/printk_ratelimit)
                if echo "$l" > /proc/sys/kernel/printk_ratelimit 2>/dev/null; then echo ESCAPED printk; fi
                if [ -e /proc/sysrq-trigger ] && : > /proc/sysrq-trigger 2>/dev/null; then echo ESCAPED sysrq; fi
                if head -c1 /etc/shadow >/dev/null 2>&1; then echo ESCAPED shadow; fi
                if [ -e /sys/kernel/uevent_helper ] && : >> /sys/kernel/uevent_helper 2>/dev/null; then echo ESCAPED sys; fi
                id -u > "$OUT_DIR/uid"
                echo probed
                """);
        assertEquals(0, run.exitCode(), run.stderr());
        assertFalse(run.stdout().contains("ESCAPED"), run.stdout());
        assertTrue(run.stdout().contains("probed"), run.stdout());
        assertEquals(before, Files.exists(corePattern) ? Files.readString(corePattern) : "");
        Path uid = outDir.resolve("uid");
        if (System.getProperty("user.name").equals("root")) {
            assertFalse(Files.readString(uid).strip().equals("0"), "the script ran as root");
        }
        assertEquals(Files.getOwner(outDir.getParent()), Files.getOwner(uid), "the output was not given back");
        assertEquals(Files.getOwner(outDir.getParent()), Files.getOwner(outDir), "OUT_DIR was not given back");
    }

    /**
     * Issue 12, item 2, and the switch that makes it: the script holds no capability in any set, cannot gain
     * one (no_new_privs), has no supplementary group, and starts with exactly its grant's variables: the
     * loader's ones that travelled past the privileged first process under other names are back under their
     * own, and nothing of the switch (a withheld name, bwrap's PWD) is left. Read from the script's own
     * initial environment ({@code /proc/self/environ} of the shell, before the shell adds anything).
     */
    @Test
    void conformance_scriptHoldsNoPrivilegeAndStartsWithExactlyItsVariables() throws IOException {
        assertNoPrivilegeAndExactlyItsVariables(Optional.empty());
    }

    /**
     * The same with a network-route grant, where the switch to the sandbox user follows the route filter's
     * installation (on Linux, in the same {@code cordon-netjail} process for a root runner).
     */
    @Test
    void conformance_routeGrantedScriptHoldsNoPrivilegeAndStartsWithExactlyItsVariables() throws IOException {
        assertNoPrivilegeAndExactlyItsVariables(Optional.of("""
                [permissions.build.conformance]
                network-access = { action = "permit", routes = ["127.0.0.1:9"] }
                """));
    }

    private void assertNoPrivilegeAndExactlyItsVariables(Optional<String> policy) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/status")),
                "reads the script's privileges from /proc (Linux)");
        env.put("LD_LIBRARY_PATH", "/nonexistent/deps:/nonexistent/more");
        Run run = run("/bin/sh", """
                grep -E '^(Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Uid|Gid):' /proc/self/status
                tr '\\0' '\\n' < /proc/$$/environ | sed 's/^/env: /'
                """, policy);
        assertEquals(0, run.exitCode(), run.stderr());
        String out = run.stdout();
        if (System.getProperty("user.name").equals("root")) {
            for (String set : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
                assertTrue(out.contains(set + ":\t0000000000000000"), set + " is not empty: " + out);
            }
            assertTrue(out.matches("(?s).*Groups:\\s*\n.*"), "supplementary groups left: " + out);
            assertFalse(out.matches("(?s).*Uid:\\s+0\\s.*") || out.matches("(?s).*Gid:\\s+0\\s.*"),
                    "the script runs as root: " + out);
        } else {
            assertTrue(out.contains("CapEff:\t0000000000000000"), out);
        }
        assertTrue(out.contains("NoNewPrivs:\t1"), out);
        assertTrue(out.contains("env: LD_LIBRARY_PATH=/nonexistent/deps:/nonexistent/more"), out);
        assertFalse(out.contains("CORDON_WITHHELD_"), out);
        assertFalse(out.contains("env: PWD="), "a variable the grant does not have: " + out);
        assertTrue(out.contains("env: OUT_DIR=" + outDir), out);
    }

    /** Issue 12, item 3: no setuid or setgid file survives in OUT_DIR, with or without the syscall filter. */
    @Test
    void conformance_leavesNoSetuidFileBehind() throws IOException {
        String body = """
                cp /bin/true "$OUT_DIR/suid"; chmod 4755 "$OUT_DIR/suid"
                cp /bin/true "$OUT_DIR/sgid"; chmod g+s "$OUT_DIR/sgid"
                mkdir -p "$OUT_DIR/sub"; cp /bin/true "$OUT_DIR/sub/deep"; chmod u+s,g+s "$OUT_DIR/sub/deep"
                exit 0
                """;
        for (Optional<String> policy : List.of(Optional.<String>empty(),
                Optional.of("[permissions.build]\nsyscalls = { profile = \"off\" }\n"))) {
            Run run = run("/bin/sh", body, policy);
            assertEquals(0, run.exitCode(), run.stderr());
            for (String name : List.of("suid", "sgid", "sub/deep")) {
                Path file = outDir.resolve(name);
                assertTrue(Files.exists(file), file + " " + run);
                int mode = (Integer) Files.getAttribute(file, "unix:mode");
                assertEquals(0, mode & 06000, "a setuid/setgid bit survived on " + file + " (mode "
                        + Integer.toOctalString(mode) + ") with policy " + policy + ": " + run);
                Files.delete(file);
            }
        }
    }

    /**
     * Issue 12, item 6: while the script runs, no process on the machine has a value of its environment on
     * its command line ({@code /proc/<pid>/cmdline} is readable by every local user), not even a value the
     * policy passes on purpose; scanned from outside the sandbox and from inside.
     */
    @Test
    void conformance_noEnvironmentValueOnAnyCommandLine() throws Exception {
        String secret = "postgres://app:" + SECRET.replace("-", "") + "@db.internal/app";
        env.put("DATABASE_URL", secret);
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean sawScript = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread scanner = new Thread(() -> {
            byte[] needle = SECRET.replace("-", "").getBytes(StandardCharsets.UTF_8);
            while (!done.get()) {
                try (var procs = Files.list(Path.of("/proc"))) {
                    for (Path p : procs.filter(q -> q.getFileName().toString().matches("\\d+")).toList()) {
                        try {
                            String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                            if (cmdline.contains(new String(needle, StandardCharsets.UTF_8))) {
                                seen.set(p + ": " + cmdline.replace('\0', ' '));
                            }
                            if (cmdline.contains("build-script-build")) {
                                sawScript.set(true);
                            }
                        } catch (IOException gone) {
                            // the process ended
                        }
                    }
                } catch (IOException e) {
                    seen.set("cannot list /proc: " + e);
                }
            }
        });
        scanner.start();
        Run run;
        try {
            run = run("/bin/sh", """
                    sleep 2
                    for f in /proc/[0-9]*/cmdline; do tr '\\000' ' ' < "$f"; echo; done | grep -c 'db[.]internal' || true
                    [ -n "$DATABASE_URL" ] && echo has-database-url
                    """, Optional.of("[permissions.build]\nenv = { pass = [\"DATABASE_URL\"] }\n"));
        } finally {
            done.set(true);
            scanner.join();
        }
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("has-database-url"), "the policy passes it: " + run);
        assertTrue(run.stdout().startsWith("0\n"), "the value is on a command line inside the sandbox: " + run);
        assertTrue(sawScript.get(), "the scan never saw the script running");
        assertNull(seen.get(), "a value of the script's environment is on a command line");
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
