package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proc macros in the sandbox (issue 15), through real stable Cargo with {@code bin/cordon-rustc}, on both ways
 * the wrapper reaches the runner: a runner JVM per call ({@code cold}) and the thin client with the plan daemon
 * ({@code warm}). A hostile proc macro tries one escape per crate that uses it; each is refused and the crate
 * fails with an explanation naming the macro and the policy table that would allow it.
 */
class ProcMacroSandboxTest {
    private static final String SECRET = "planted-macro-secret-51c2";

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static WarmPath warm;
    private static Path home;

    @BeforeAll
    static void setUp() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        warm = WarmPath.in(Files.createDirectories(shared.resolve("warm")));
        home = Files.createDirectories(shared.resolve("home"));
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_rsa"), SECRET + "\n");
    }

    @AfterAll
    static void tearDown() throws IOException {
        warm.stop();
    }

    /** The hostile macro: {@code probe!("KIND ARG")} does KIND at expansion time and panics with the error. */
    private static final String EVIL = """
            use proc_macro::TokenStream;
            use std::io::{Read, Write};
            #[proc_macro]
            pub fn probe(input: TokenStream) -> TokenStream {
                let text = input.to_string();
                let text = text.trim_matches('"');
                let (kind, arg) = text.split_once(' ').unwrap();
                let result: Result<String, String> = match kind {
                    "net" => std::net::TcpStream::connect(arg).map(|mut s| {
                        s.write_all(b"ping").unwrap();
                        let mut a = [0u8; 4];
                        s.read_exact(&mut a).unwrap();
                        String::from_utf8_lossy(&a).into_owned()
                    }).map_err(|e| format!("connect {arg}: {e}")),
                    "read" => std::fs::read_to_string(arg).map_err(|e| format!("{arg}: {e}")),
                    "write" => std::fs::write(arg, "pwned").map(|_| "written".to_string()).map_err(|e| format!("{arg}: {e}")),
                    "spawn" => std::process::Command::new("/bin/sh").arg("-c")
                        .arg(format!("(sleep 3; echo outlived > {arg}) >/dev/null 2>&1 &"))
                        .status().map(|_| "spawned".to_string()).map_err(|e| e.to_string()),
                    "tamper" => {
                        // Appends to, or renames over, every file under ARG but the users' own.
                        fn walk(dir: &std::path::Path, depth: u32, tried: &mut u32, done: &mut u32) {
                            let Ok(entries) = std::fs::read_dir(dir) else { return };
                            for entry in entries.flatten() {
                                let path = entry.path();
                                let name = path.file_name().unwrap().to_string_lossy().to_string();
                                if name.contains("user_") { continue; }
                                let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
                                if meta.is_dir() {
                                    if depth < 4 { walk(&path, depth + 1, tried, done); }
                                    continue;
                                }
                                if !meta.is_file() { continue; }
                                *tried += 1;
                                let appended = std::fs::OpenOptions::new().append(true).open(&path)
                                    .and_then(|mut f| f.write_all(b"pwned")).is_ok();
                                let replaced = !appended && {
                                    let swap = path.with_file_name(format!(".{name}.tamper"));
                                    std::fs::write(&swap, b"pwned").is_ok() && std::fs::rename(&swap, &path).is_ok()
                                };
                                if appended || replaced { *done += 1; }
                            }
                        }
                        let (mut tried, mut done) = (0, 0);
                        walk(std::path::Path::new(arg), 0, &mut tried, &mut done);
                        // Then through the runner: files named like other crates' outputs in rustc's own output
                        // folder (its --out-dir, from its command line), announced to Cargo as rustc would.
                        let cmdline = std::fs::read("/proc/self/cmdline").unwrap_or_default();
                        let words: Vec<String> = cmdline.split(|b| *b == 0)
                            .map(|w| String::from_utf8_lossy(w).to_string()).collect();
                        let own = words.iter().position(|w| w == "--out-dir").map(|i| words[i + 1].clone());
                        if let (Some(own), Ok(entries)) = (own, std::fs::read_dir(arg)) {
                            for entry in entries.flatten() {
                                let name = entry.file_name().to_string_lossy().to_string();
                                if name.contains("user_") || !entry.path().is_file() { continue; }
                                let forged = format!("{own}/{name}");
                                if std::fs::write(&forged, b"pwned").is_ok() {
                                    eprintln!("{{\\\"artifact\\\":\\\"{forged}\\\",\\\"emit\\\":\\\"link\\\"}}");
                                }
                            }
                        }
                        Ok(format!("tampered {done} of {tried}"))
                    }
                    _ => Err(format!("unknown probe {kind}")),
                };
                match result {
                    Ok(v) => format!("pub const PROBE: &str = {:?};", v).parse().unwrap(),
                    Err(e) => panic!("{e}"),
                }
            }
            """;

    private CargoProject project(UnaryOperator<CargoProject> launch, String policy, String... probes) throws IOException {
        Path ws = dir.resolve("ws");
        Path policyFile = dir.resolve("cordon.toml");
        Files.writeString(policyFile, policy);
        CargoProject project = CargoProject.in(ws)
                .file("evil/Cargo.toml", "[package]\nname = \"evil\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n"
                        + "[lib]\nproc-macro = true\n")
                .file("evil/src/lib.rs", EVIL);
        String[] members = new String[probes.length / 2 + 1];
        members[0] = "evil";
        for (int i = 0; i < probes.length; i += 2) {
            String name = probes[i];
            members[i / 2 + 1] = name;
            project.file(name + "/Cargo.toml", "[package]\nname = \"" + name + "\"\nversion = \"0.1.0\"\n"
                    + "edition = \"2021\"\n\n[dependencies]\nevil = { path = \"../evil\" }\n");
            project.file(name + "/src/main.rs", "evil::probe!(\"" + probes[i + 1].replace("\\", "\\\\")
                    .replace("\"", "\\\"") + "\");\nfn main() { println!(\"{}\", PROBE); }\n");
        }
        project.workspace(List.of(CargoProject.runnerLauncher().toString(), "--policy", policyFile.toString()), members)
                .stable(CargoProject.rustcWrapper());
        project.env("HOME", home.toString()).env("CARGO_HOME", System.getProperty("user.home") + "/.cargo")
                .env("RUSTUP_HOME", System.getProperty("user.home") + "/.rustup")
                .env("CORDON_AUDIT_LOG", dir.resolve("audit.jsonl").toString());
        return launch.apply(project);
    }

    /** cold: a runner JVM per call; warm: the plan daemon; team: a team's own runner main on the warm path. */
    private static UnaryOperator<CargoProject> launch(String name) {
        return switch (name) {
            case "warm" -> warm::wire;
            case "team" -> p -> warm.wire(p).env("CORDON_RUNNER_MAIN", "dev.cordon.examples.EnvironmentControlRunner");
            default -> p -> p.env("CORDON_NO_DAEMON", "1");
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"cold", "warm", "team"})
    void build_hostileProcMacroIsRefusedEveryEscapeAndTheCrateFailsWithTheExplanation(String path) throws Exception {
        Path ws = dir.resolve("ws");
        Path outlived = dir.resolve("ws/user_spawn/outlived");
        try (NetworkRoutesCargoTest.Server server = new NetworkRoutesCargoTest.Server("127.0.0.1", 0)) {
            CargoProject project = project(launch(path), "",
                    "user_net", "net 127.0.0.1:" + server.port(),
                    "user_ssh", "read " + home.resolve(".ssh/id_rsa"),
                    "user_src", "write " + ws.resolve("user_src/src/pwned.rs"),
                    "user_home", "write " + home.resolve("pwned.txt"),
                    "user_spawn", "spawn " + outlived);
            long servedBefore = warm.plansServed();
            var result = project.build(dir.resolve("target"), "--keep-going");
            String err = result.stderr();
            if (!path.equals("cold")) { // the macro calls were the daemon's, not a JVM's each
                assertTrue(warm.plansServed() - servedBefore >= 5, "daemon served " + (warm.plansServed() - servedBefore));
            }
            assertNotEquals(0, result.exitCode(), err);
            assertEquals(0, server.connections.get(), "the macro reached the server: " + err);
            assertFalse(err.contains(SECRET), err);
            assertFalse(Files.exists(ws.resolve("user_src/src/pwned.rs")), "the macro wrote into the source tree");
            assertFalse(Files.exists(home.resolve("pwned.txt")), "the macro wrote into $HOME");
            for (String crate : List.of("user_net", "user_ssh", "user_src", "user_home")) {
                assertTrue(err.contains("error: could not compile `" + crate + "`"), crate + " compiled:\n" + err);
                assertTrue(err.contains("cordon: the proc macro 'evil' (loaded by rustc compiling crate '" + crate + "')"),
                        "no explanation for " + crate + ":\n" + err);
            }
            assertTrue(err.contains("tried to use the network") && err.contains("[permissions.macro.evil]\ncordon: "
                    + "network-access = { action = \"permit\", routes = [\"HOST:PORT\"] }"), err);
            assertTrue(err.contains("tried to read " + home.resolve(".ssh")), err);
            assertTrue(err.contains("was refused a write") && err.contains("[permissions.macro.evil]\ncordon: "
                    + "filesystem-access = { action = \"permit\", paths = [\"$CARGO_MANIFEST_DIR/src\"] }"), err);
            // The spawned process dies with the sandbox: nothing is written after rustc is gone.
            Thread.sleep(5000);
            assertFalse(Files.exists(outlived), "a process started by the macro outlived rustc");
            String audit = Files.readString(dir.resolve("audit.jsonl"));
            assertTrue(audit.contains("user_net (rustc loading proc macros evil)"), audit);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cold", "warm"})
    void build_procMacroGrantedARouteReachesTheLocalServer(String path) throws Exception {
        try (NetworkRoutesCargoTest.Server server = new NetworkRoutesCargoTest.Server("127.0.0.1", 0)) {
            String policy = "[permissions.macro.evil]\nnetwork-access = { action = \"permit\", routes = [\"127.0.0.1:"
                    + server.port() + "\"] }\n";
            CargoProject project = project(launch(path), policy, "user_db", "net 127.0.0.1:" + server.port());
            long servedBefore = warm.plansServed();
            var result = project.cargo("run", dir.resolve("target"), "-q", "-p", "user_db");
            int connections = 1;
            if (path.equals("warm") && warm.plansServed() == servedBefore) {
                // The client runs a JVM itself when a new daemon is slow to start (a loaded machine): build again,
                // fresh, now that the daemon is up, since this test is about the daemon's answer.
                assertEquals(0, result.exitCode(), result.stderr());
                servedBefore = warm.plansServed();
                result = project.cargo("run", dir.resolve("target2"), "-q", "-p", "user_db");
                connections = 2;
            }
            if (path.equals("warm")) {
                assertEquals(1, warm.plansServed() - servedBefore, "the macro call was not the daemon's");
            }
            assertEquals(0, result.exitCode(), result.stderr());
            assertEquals("PING\n", result.stdout(), result.stderr());
            assertEquals(connections, server.connections.get());
        }
    }

    /**
     * Every rustc call of a build shares one output folder ({@code deps}) and one incremental folder: a macro that
     * could write them could replace another crate's library, or another proc macro whose grant is wider, or poison
     * another crate's incremental cache. A macro's rustc writes only folders of its own.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cold", "warm", "team"})
    void build_aMacroCannotTamperWithOtherCratesOutputsOrIncrementalCaches(String path) throws Exception {
        Path target = dir.resolve("target");
        CargoProject project = project(launch(path), "",
                "user_deps", "tamper " + target.resolve("debug/deps"),
                "user_incr", "tamper " + target.resolve("debug/incremental"));
        // Victims built before the macro runs: a library, and a proc macro that a policy could grant more.
        project.file("victim/Cargo.toml", "[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
                .file("victim/src/lib.rs", "pub fn answer() -> u32 { 42 }\n")
                .file("wider/Cargo.toml", "[package]\nname = \"wider\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n"
                        + "[lib]\nproc-macro = true\n")
                .file("wider/src/lib.rs", "use proc_macro::TokenStream;\n#[proc_macro]\n"
                        + "pub fn wide(_: TokenStream) -> TokenStream { TokenStream::new() }\n")
                .file("Cargo.toml", "[workspace]\nresolver = \"2\"\nmembers = [\"evil\", \"user_deps\", \"user_incr\", "
                        + "\"victim\", \"wider\"]\n");
        for (String user : List.of("user_deps", "user_incr")) {
            project.file(user + "/Cargo.toml", "[package]\nname = \"" + user + "\"\nversion = \"0.1.0\"\nedition = "
                    + "\"2021\"\n\n[dependencies]\nevil = { path = \"../evil\" }\nvictim = { path = \"../victim\" }\n"
                    + "wider = { path = \"../wider\" }\n");
        }
        var result = project.build(target);
        assertEquals(0, result.exitCode(), result.stderr());
        // The forged outputs (files named like other crates' in rustc's own folder, announced on its stderr) were
        // made, and left where they were, with a word for the user.
        assertTrue(result.stderr().contains("cordon: rustc compiling crate 'user_deps' (loading proc macros evil, wider) left "
                + "files that are not its outputs: "), result.stderr());
        for (String user : List.of("user_deps", "user_incr")) {
            Process run = new ProcessBuilder(target.resolve("debug/" + user).toString()).redirectErrorStream(true).start();
            String said = new String(run.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            assertEquals(0, run.waitFor(), said);
            assertTrue(said.startsWith("tampered 0 of "), user + ": " + said);
            if (user.equals("user_deps")) { // the folder is readable (rustc reads its dependencies there)
                assertTrue(Integer.parseInt(said.substring("tampered 0 of ".length())) >= 4, said);
            }
        }
        try (var deps = Files.list(target.resolve("debug/deps"))) {
            for (Path file : deps.filter(Files::isRegularFile).toList()) {
                assertFalse(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)
                        .endsWith("pwned"), "tampered: " + file);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cold"})
    void build_theSameMacroWithoutTheGrantIsRefusedTheRoute(String path) throws Exception {
        try (NetworkRoutesCargoTest.Server server = new NetworkRoutesCargoTest.Server("127.0.0.1", 0)) {
            String policy = "[permissions.macro.other-macro]\nnetwork-access = { action = \"permit\", routes = "
                    + "[\"127.0.0.1:" + server.port() + "\"] }\n";
            var result = project(launch(path), policy, "user_db", "net 127.0.0.1:" + server.port())
                    .build(dir.resolve("target"));
            assertNotEquals(0, result.exitCode(), result.stderr());
            assertEquals(0, server.connections.get());
        }
    }

    @org.junit.jupiter.api.Test
    void check_warnsAboutAMacroTableThatNamesNoProcMacroAndSuggestsTheRightPackage() throws Exception {
        String policy = "[permissions.macro.evil]\n\n[permissions.macro.serde]\nnetwork-access = { action = \"deny\" }\n\n"
                + "[permissions.macro.evill]\n";
        CargoProject project = project(p -> p, policy, "user_ok", "read /etc/hostname");
        project.file("user_ok/Cargo.toml", "[package]\nname = \"user_ok\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n"
                + "[dependencies]\nevil = { path = \"../evil\" }\nserde = { version = \"1\", features = [\"derive\"] }\n");
        ProcessBuilder pb = new ProcessBuilder(CargoProject.runnerLauncher().toString(), "check", "--policy",
                dir.resolve("cordon.toml").toString()).directory(dir.resolve("ws").toFile()).redirectErrorStream(true);
        pb.environment().put("CORDON_NO_AOT", "1");
        pb.environment().put("CORDON_NO_DAEMON", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        String file = dir.resolve("cordon.toml").toString();
        assertTrue(out.contains("warning: " + file + ":3: [permissions.macro.serde] never applies: package 'serde' is "
                + "not a proc macro (proc macros here: evil, serde_derive); its proc macros are in "
                + "[permissions.macro.serde_derive]: rename the table"), out);
        assertTrue(out.contains("warning: " + file + ":6: [permissions.macro.evill] never applies: no package 'evill' "
                + "in this workspace (proc macros here: evil, serde_derive); did you mean 'evil'?"), out);
        assertFalse(out.contains("[permissions.macro.evil] never applies"), out);
    }
}
