package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [permissions.run]} under real {@code cargo test} and {@code cargo run} on stable Cargo: the stable
 * mode's wrapper for build scripts and {@code bin/cordon-runner} as {@code [target.'cfg(all())'] runner}. A
 * package's integration tests open a socket to a server on 127.0.0.1, read a token under {@code $HOME} (a
 * fake home made here), read {@code ~/.ssh/id_rsa} and write outside the target dir: each is blocked under
 * the defaults and allowed by the crate's own {@code [permissions.run.probe]} grant, except the SSH key,
 * which no grant unhides. Of the target dir only its scratch folder ({@code CARGO_TARGET_TMPDIR}) is
 * writable: the rest holds code that runs outside the sandbox later. The harness's output, filters and exit
 * status pass through untouched.
 */
class RunPermissionsTest {

    private static final String TESTS = """
            use std::io::Write;
            #[test]
            fn opens_socket() {
                let mut s = std::net::TcpStream::connect("ADDRESS").expect("connect");
                s.write_all(b"hello from the test").unwrap();
            }
            #[test]
            fn reads_secret() {
                assert_eq!("s3cret", std::fs::read_to_string("HOME/.config/probe/token").expect("read the token"));
            }
            #[test]
            fn reads_ssh_key() {
                std::fs::read_to_string("HOME/.ssh/id_rsa").expect("read the ssh key");
            }
            #[test]
            fn writes_outside() {
                std::fs::write("OUTSIDE/written.txt", "x").expect("write outside the target dir");
            }
            #[test]
            fn plants_in_target_dir() {
                // Where Cargo keeps code that runs later outside any sandbox (proc macros, build scripts, binaries).
                let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
                std::fs::write(deps.join("libplanted.so"), "x").expect("plant a file in target/debug/deps");
            }
            #[test]
            fn writes_target_tmp() {
                std::fs::write(concat!(env!("CARGO_TARGET_TMPDIR"), "/scratch.txt"), "x").expect("write target/tmp");
            }
            #[test]
            fn plain_passes() {
                println!("plain test output");
            }
            #[test]
            #[ignore]
            fn fails_on_purpose() {
                panic!("this test fails on purpose");
            }
            """;

    @TempDir
    Path dir;
    private Path home;
    private Path outside;
    private ServerSocket server;
    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void tools() {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
    }

    @BeforeEach
    void listen() throws IOException {
        home = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
        Files.createDirectories(home.resolve(".config/probe"));
        Files.writeString(home.resolve(".config/probe/token"), "s3cret");
        outside = Files.createDirectories(dir.resolve("outside"));
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setSoTimeout(200);
        Thread accept = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    received.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (SocketTimeoutException e) {
                    // poll again until closed
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-server");
        accept.setDaemon(true);
        accept.start();
    }

    @AfterEach
    void close() throws IOException {
        server.close();
    }

    /** The package, in stable mode, with the runner for cargo run/test and the policy in Cargo's [env]. */
    private CargoProject project(String policy) throws IOException {
        Files.createDirectories(dir.resolve("ws"));
        Files.writeString(dir.resolve("ws/cordon.toml"), policy);
        String tests = TESTS.replace("ADDRESS", "127.0.0.1:" + server.getLocalPort()).replace("HOME", home.toString())
                .replace("OUTSIDE", outside.toString());
        String realHome = System.getProperty("user.home");
        return CargoProject.in(dir.resolve("ws")).binaryPackage("probe", "fn main() {}\n", """
                fn main() {
                    let args: Vec<String> = std::env::args().skip(1).collect();
                    println!("args={:?} cwd={}", args, std::env::current_dir().unwrap().display());
                    std::process::exit(3);
                }
                """).file("probe/tests/escape.rs", tests)
                .workspace(List.of(CargoProject.runnerLauncher().toString()), "probe")
                .stable(CargoProject.rustcWrapper())
                .config("[target.'cfg(all())']\nrunner = [\"" + CargoProject.runnerLauncher() + "\"]\n\n"
                        + "[env]\nCORDON_POLICY = { value = \"cordon.toml\", relative = true }")
                .env("HOME", home.toString())
                .env("CARGO_HOME", System.getenv().getOrDefault("CARGO_HOME", realHome + "/.cargo"))
                .env("RUSTUP_HOME", System.getenv().getOrDefault("RUSTUP_HOME", realHome + "/.rustup"));
    }

    @Test
    void cargoTest_defaultsBlockNetworkSecretsAndWritesOutsideTheTargetDir() throws IOException {
        // Grants for the build script and for another crate must not reach probe's tests.
        var result = project("""
                [permissions.build.probe]
                network-access = { action = "permit" }
                [permissions.run.other-crate]
                network-access = { action = "permit" }
                filesystem-access = { action = "permit", paths = ["OUTSIDE"] }
                """.replace("OUTSIDE", outside.toString())).cargo("test", dir.resolve("target"), "--test", "escape");
        assertEquals(101, result.exitCode(), result.stderr());
        for (String test : List.of("opens_socket", "reads_secret", "reads_ssh_key", "writes_outside",
                "plants_in_target_dir")) {
            assertTrue(result.stdout().contains("test " + test + " ... FAILED"), test + "\n" + result.stdout());
        }
        assertTrue(result.stdout().contains("test plain_passes ... ok"), result.stdout());
        assertTrue(result.stdout().contains("test writes_target_tmp ... ok"), result.stdout());
        assertTrue(result.stdout().contains("test result: FAILED. 2 passed; 5 failed; 1 ignored"), result.stdout());
        assertEquals(List.of(), received, "the test reached the server");
        assertFalse(Files.exists(outside.resolve("written.txt")), "the test wrote outside the target dir");
        try (var files = Files.walk(dir.resolve("target"))) {
            assertEquals(List.of(), files.filter(f -> f.endsWith("libplanted.so")).toList());
        }
    }

    @Test
    void cargoTest_crateGrantAllowsExactlyWhatItNames() throws IOException {
        var result = project("""
                [permissions.run.probe]
                network-access = { action = "permit" }
                filesystem-access = { action = "permit", paths = ["OUTSIDE"], read = ["HOME/.config/probe", "HOME/.ssh"] }
                """.replace("OUTSIDE", outside.toString()).replace("HOME", home.toString()))
                .cargo("test", dir.resolve("target"), "--test", "escape", "--", "--skip", "reads_ssh_key", "--skip",
                        "plants_in_target_dir");
        assertEquals(0, result.exitCode(), result.stdout() + result.stderr());
        assertTrue(result.stdout().contains("test result: ok. 5 passed; 0 failed; 1 ignored; 0 measured; 2 filtered out"),
                result.stdout());
        assertEquals(List.of("hello from the test"), received);
        assertTrue(Files.exists(outside.resolve("written.txt")), "the granted write did not happen");

        // Deny beats permit: the built-in credential folders stay hidden whatever a table grants.
        var ssh = project(Files.readString(dir.resolve("ws/cordon.toml")))
                .cargo("test", dir.resolve("target"), "--test", "escape", "--", "reads_ssh_key");
        assertEquals(101, ssh.exitCode(), ssh.stdout() + ssh.stderr());
        assertTrue(ssh.stdout().contains("test reads_ssh_key ... FAILED"), ssh.stdout());
    }

    @Test
    void cargoTest_filtersNocaptureAndExitStatusPassThrough() throws IOException {
        CargoProject project = project("");
        var filtered = project.cargo("test", dir.resolve("target"), "--test", "escape", "--", "plain_passes", "--nocapture");
        assertEquals(0, filtered.exitCode(), filtered.stdout() + filtered.stderr());
        assertTrue(filtered.stdout().contains("plain test output"), "--nocapture lost:\n" + filtered.stdout());
        assertTrue(filtered.stdout().contains("test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 7 filtered out"),
                filtered.stdout());

        var failing = project.cargo("test", dir.resolve("target"), "--test", "escape", "--", "--ignored", "fails_on_purpose");
        assertEquals(101, failing.exitCode(), failing.stdout() + failing.stderr());
        assertTrue(failing.stdout().contains("this test fails on purpose"), failing.stdout());
        assertTrue(failing.stdout().contains("test fails_on_purpose ... FAILED"), failing.stdout());
        assertFalse(failing.stderr().contains("cordon: "), "a failing test is not Cordon's business:\n" + failing.stderr());
    }

    @Test
    void cargoRun_argumentsWorkingDirectoryAndExitStatusPassThrough() throws IOException {
        var result = project("").cargo("run", dir.resolve("target"), "-q", "--", "one", "two words", "--flag");
        assertEquals(3, result.exitCode(), result.stdout() + result.stderr());
        assertEquals("args=[\"one\", \"two words\", \"--flag\"] cwd=" + dir.resolve("ws") + "\n", result.stdout());
    }
}
