package dev.cordon.sandbox.bwrap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Grant;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Cargo running real Rust build scripts through this module's plans (a bash runner that execs the
 * bwrap argv): benign scripts that must work, the jobserver handed through, and a write into the
 * read-only source tree explained. Each workspace is built once for the class.
 */
class CargoBuildScriptTest {

    @TempDir
    static Path dir;
    static CargoProject.Result benign;
    static CargoProject.Result readOnly;
    static Path readOnlyPackage;
    static CargoProject.Result keyNamed;
    static Path keyNamedPackage;

    private static final String BENIGN_BUILD = """
            use std::{env, fs, path::Path, process::Command};
            fn main() {
                let out = env::var("OUT_DIR").unwrap();
                fs::write(Path::new(&out).join("gen.rs"), "pub const ANSWER: u32 = 42;\\n").unwrap();
                let rustc = env::var("RUSTC").unwrap();
                let probe = Command::new(&rustc).arg("-vV").output().expect("run rustc -vV");
                assert!(probe.status.success(), "rustc -vV: {}", String::from_utf8_lossy(&probe.stderr));
                let text = String::from_utf8(probe.stdout).unwrap();
                let host = text.lines().find(|l| l.starts_with("host: ")).unwrap();
                println!("cargo::warning=probe {}", host);
                fs::write(Path::new(&env::var("TMPDIR").unwrap()).join("scratch"), "x").unwrap();
                cc::Build::new().file("native/add.c").compile("add");
            }
            """;
    private static final String BENIGN_MAIN = """
            include!(concat!(env!("OUT_DIR"), "/gen.rs"));
            extern "C" { fn add(a: i32, b: i32) -> i32; }
            fn main() { println!("{} {}", ANSWER, unsafe { add(1, 2) }); }
            """;
    private static final String JOBSERVER_BUILD = dev.cordon.testing.BuildScripts.JOBSERVER_TOKEN;
    private static final String WRITES_SOURCE_BUILD = """
            fn main() {
                let path = format!("{}/src/generated.rs", std::env::var("CARGO_MANIFEST_DIR").unwrap());
                std::fs::write(&path, "// generated").unwrap_or_else(|e| panic!("cannot write {}: {}", path, e));
            }
            """;

    @BeforeAll
    static void buildOnce() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        RequiredTools.require("cc");
        if (!Files.isDirectory(CargoProject.DEBIAN_REGISTRY.resolve("cc-1.0.73"))) {
            RequiredTools.missing("Debian's crate sources (apt-get install librust-cc-dev)");
        }
        List<String> runner = List.of(CargoRunnerScript.write(Files.createDirectories(dir.resolve("bin"))).toString());
        benign = CargoProject.in(dir.resolve("benign"))
                .binaryPackage("benign", BENIGN_BUILD, BENIGN_MAIN, "", "[build-dependencies]", "cc = \"1\"")
                .file("benign/native/add.c", "int add(int a, int b) { return a + b; }\n")
                .binaryPackage("jobs", JOBSERVER_BUILD, "fn main() {}\n")
                .workspace(runner, "benign", "jobs").build(dir.resolve("benign/target"), "-j", "2");
        readOnlyPackage = dir.resolve("readonly/writer");
        readOnly = CargoProject.in(dir.resolve("readonly")).binaryPackage("writer", WRITES_SOURCE_BUILD, "fn main() {}\n")
                .workspace(runner, "writer").build(dir.resolve("readonly/target"));
        // A crate named like a policy key: its table is [permissions.build.crates.env], never [permissions.build.env]
        // (which is the env key of every crate's defaults).
        keyNamedPackage = dir.resolve("keynamed/env");
        keyNamed = CargoProject.in(dir.resolve("keynamed")).binaryPackage("env", WRITES_SOURCE_BUILD, "fn main() {}\n")
                .workspace(runner, "env").build(dir.resolve("keynamed/target"));
    }

    @Test
    void cargo_benignScriptGeneratesCodeProbesRustcAndCompilesC() throws Exception {
        assertEquals(0, benign.exitCode(), benign.stderr());
        assertTrue(benign.stderr().contains("probe host: x86_64"), benign.stderr());
        String output = benign.outputOf("benign-");
        assertTrue(output.contains("cargo:rustc-link-lib=static=add"), output);
        Path binary = dir.resolve("benign/target/debug/benign");
        Process p = new ProcessBuilder(binary.toString()).start();
        assertEquals("42 3", new String(p.getInputStream().readAllBytes()).strip());
        // cc and every other build script ran too: Cargo kept all their outputs.
        assertTrue(benign.buildScriptOutputs().keySet().stream().anyMatch(k -> k.startsWith("jobs-")));
    }

    @Test
    void cargo_jobserverTokenCanBeTakenAndReturned() {
        assertEquals(0, benign.exitCode(), benign.stderr());
        assertTrue(benign.stderr().contains("token-ok via"), benign.stderr());
        benign.stderr().lines().filter(l -> l.contains("token-ok")).forEach(System.out::println);
    }

    @Test
    void cargo_writeIntoReadOnlySourceFailsAndIsExplained() {
        assertNotEquals(0, readOnly.exitCode());
        assertTrue(readOnly.stderr().contains("Read-only file system"), readOnly.stderr());
        assertFalse(Files.exists(readOnlyPackage.resolve("src/generated.rs")), "the source tree was written");
        RunnerInvocation invocation = RunnerInvocation.of(readOnlyPackage.resolve("build-script-build"),
                readOnlyPackage, Map.of("CARGO_PKG_NAME", "writer", "CARGO_MANIFEST_DIR", readOnlyPackage.toString()));
        Grant grant = Policies.defaults().decide(invocation);
        String message = DenialExplainer.explain(invocation, grant, 101, readOnly.stderr()).orElseThrow();
        assertTrue(message.contains("crate 'writer'") && message.contains("built-in defaults"), message);
        assertTrue(message.contains("[permissions.build.writer]\nfilesystem-access = { action = \"permit\", paths = "
                + "[\"$CARGO_MANIFEST_DIR/src\"] }"), message); // the policy line names the package, not this machine
        System.out.println(message);
    }

    @Test
    void cargo_crateNamedLikeAKey_isToldItsOwnTableAndThatTableGrantsTheWrite() {
        assertNotEquals(0, keyNamed.exitCode());
        assertTrue(keyNamed.stderr().contains("Read-only file system"), keyNamed.stderr());
        RunnerInvocation invocation = RunnerInvocation.of(keyNamedPackage.resolve("build-script-build"),
                keyNamedPackage, Map.of("CARGO_PKG_NAME", "env", "CARGO_MANIFEST_DIR", keyNamedPackage.toString()));
        String message = DenialExplainer.explain(invocation, Policies.defaults().decide(invocation), 101,
                keyNamed.stderr()).orElseThrow();
        String table = "[permissions.build.crates.env]\nfilesystem-access = { action = \"permit\", paths = "
                + "[\"$CARGO_MANIFEST_DIR/src\"] }";
        assertTrue(message.contains(table), message);
        assertFalse(message.contains("[permissions.build.env]"), message);
        // The lines as told, pasted into a policy, give this crate (and only it) the write.
        Policy pasted = Policies.parse(table + "\n", dir.resolve("cordon.toml"));
        assertTrue(pasted.decide(invocation).writable().contains(keyNamedPackage.resolve("src")),
                pasted.decide(invocation).toString());
    }
}
