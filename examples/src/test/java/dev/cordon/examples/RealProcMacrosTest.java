package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real proc-macro crates from Debian's packages (serde_derive, thiserror-impl, clap_derive, ctor) build and run
 * inside the proc-macro sandbox with Cordon's defaults exactly as they do without Cordon, through stable Cargo
 * and {@code bin/cordon-rustc}, on the cold and the warm path (issue 15).
 */
class RealProcMacrosTest {
    @TempDir
    static Path shared;

    private static WarmPath warm;
    private static String plainOutput;

    private static final String MAIN = """
            use clap::Parser;
            #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
            struct Point { x: i32, #[serde(rename = "why")] y: i32 }
            #[derive(thiserror::Error, Debug)]
            enum Failure { #[error("bad point {0:?}")] Bad(Point), #[error(transparent)] Json(#[from] serde_json::Error) }
            #[derive(Parser, Debug)]
            #[clap(name = "app", about = "real proc macros")]
            struct Args { #[clap(long, default_value_t = 3)] x: i32 }
            #[ctor::ctor]
            fn early() { println!("ctor ran"); }
            fn main() -> Result<(), Failure> {
                let args = Args::parse_from(["app", "--x", "7"]);
                let p = Point { x: args.x, y: -1 };
                let text = serde_json::to_string(&p)?;
                println!("{text}");
                let back: Point = serde_json::from_str(&text)?;
                assert_eq!(back, p);
                println!("{}", Failure::Bad(back));
                println!("{}", Failure::from(serde_json::from_str::<Point>("{").unwrap_err()));
                Ok(())
            }
            """;

    private static CargoProject project(Path root) {
        return CargoProject.in(root).file("app/Cargo.toml", """
                [package]
                name = "app"
                version = "0.1.0"
                edition = "2021"
                [dependencies]
                serde = { version = "1", features = ["derive"] }
                serde_json = "1"
                thiserror = "1"
                clap = { version = "3", features = ["derive"] }
                ctor = "0.1"
                """).file("app/src/main.rs", MAIN);
    }

    @BeforeAll
    static void plainBuild() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        warm = WarmPath.in(Files.createDirectories(shared.resolve("warm")));
        CargoProject plain = project(shared.resolve("plain")).workspace(List.of(), "app").withoutCordon();
        var result = plain.cargo("run", shared.resolve("plain-target"), "-q");
        assertEquals(0, result.exitCode(), result.stderr());
        plainOutput = result.stdout();
        assertTrue(plainOutput.contains("{\"x\":7,\"why\":-1}"), plainOutput);
    }

    @AfterAll
    static void tearDown() throws IOException {
        warm.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cold", "warm"})
    void build_realProcMacrosInTheSandboxGiveTheSameProgramAsAPlainBuild(String path) throws Exception {
        Path audit = shared.resolve("audit-" + path + ".jsonl");
        CargoProject project = project(shared.resolve("ws-" + path))
                .workspace(List.of(CargoProject.runnerLauncher().toString()), "app")
                .stable(CargoProject.rustcWrapper()).env("CORDON_AUDIT_LOG", audit.toString());
        if (path.equals("warm")) {
            warm.wire(project);
        } else {
            project.env("CORDON_NO_DAEMON", "1");
        }
        long servedBefore = warm.plansServed();
        var result = project.cargo("run", shared.resolve("target-" + path), "-q");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals(plainOutput, result.stdout());
        String log = Files.readString(audit);
        if (path.equals("warm")) { // every run in the audit log, build scripts and macro calls alike, was the daemon's
            assertEquals(log.lines().count(), warm.plansServed() - servedBefore, log);
        }
        // Every crate that loads a proc macro was compiled in the sandbox, including app, which loads
        // serde_derive through serde's re-export without naming it (and proc-macro-error-attr, which clap_derive
        // was built with: the markers err on the side of more macros).
        for (String entry : List.of("serde (rustc loading proc macros serde_derive)",
                "app (rustc loading proc macros clap_derive, ctor, proc-macro-error-attr, serde_derive, thiserror-impl)")) {
            assertTrue(log.contains(entry), entry + " not in the audit log:\n" + log);
        }
    }
}
