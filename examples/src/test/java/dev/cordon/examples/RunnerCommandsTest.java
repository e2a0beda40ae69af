package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExitCodes;
import dev.cordon.Runner;
import dev.cordon.testing.RequiredTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's own commands with the backends of the reference runner's class path. */
class RunnerCommandsTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Runner.builder().stdout(out).stderr(err).workingDirectory(dir)
                .environment(Map.of("HOME", dir.toString(), "PATH", "/usr/bin:/bin")).build().run(args);
    }

    private int runWith(dev.cordon.spi.SandboxBackend backend, String... args) {
        return Runner.builder().backend(backend).stdout(out).stderr(err).workingDirectory(dir)
                .environment(Map.of("HOME", dir.toString(), "PATH", "/usr/bin:/bin")).build().run(args);
    }

    /** A backend that can deny the network and nothing finer: routes are beyond it. */
    static final class DenyOnlyBackend implements dev.cordon.spi.SandboxBackend {
        @Override
        public String id() {
            return "deny-only";
        }

        @Override
        public dev.cordon.spi.Availability availability() {
            return dev.cordon.spi.Availability.available();
        }

        @Override
        public java.util.Set<dev.cordon.spi.Capability> capabilities() {
            return java.util.EnumSet.complementOf(java.util.EnumSet.of(dev.cordon.spi.Capability.NETWORK_ROUTES,
                    dev.cordon.spi.Capability.NETWORK_LOOPBACK_ROUTES));
        }

        @Override
        public dev.cordon.ExecutionPlan plan(dev.cordon.RunnerInvocation invocation, dev.cordon.Grant grant,
                java.util.Optional<dev.cordon.SyscallFilter> filter) {
            return dev.cordon.ExecutionPlan.builder(id(), invocation.workingDirectory()).command("/bin/false").build();
        }
    }

    private Path policy(String toml) throws IOException {
        return Files.writeString(dir.resolve("cordon.toml"), toml);
    }

    @Test
    void check_unknownBackendIsAPolicyErrorWithTheNearMiss() throws IOException {
        Path file = policy("# a policy\n[sandbox]\nbackend = \"bwarp\"\n");
        assertEquals(ExitCodes.INVALID_POLICY, run("check", "--policy", file.toString()));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains(file + ":3: sandbox.backend: unknown backend 'bwarp'"), message);
        assertTrue(message.contains("did you mean 'bwrap'?"), message);
    }

    @Test
    void check_validPolicyPasses() throws IOException {
        Path file = policy("[sandbox]\nbackend = \"bwrap\"\n[permissions.build.sqlx]\n"
                + "network-access = { action = \"permit\" }\n");
        assertEquals(0, run("check", "--policy", file.toString()), err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("policy OK"));
    }

    @Test
    void check_backendNotAvailableOnThisMachineFailsAsTheBuildWould() throws IOException {
        Path file = policy("[sandbox]\nbackend = \"macos\"\n");
        assertEquals(ExitCodes.SANDBOX_UNAVAILABLE, run("check", "--policy", file.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("sandbox backend 'macos' (asked for by " + file
                + ") is not available"), err.toString(StandardCharsets.UTF_8));
        out.reset();
        assertEquals(0, run("check", "--syntax-only", "--policy", file.toString()), err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("policy OK (syntax only"), out.toString());
    }

    @Test
    void check_grantTheBackendCannotEnforceFailsAsTheBuildWouldAndExplainToo() throws IOException {
        // bwrap enforces every grant now (routes included): a backend that can only deny the network stands in.
        Path file = policy("[sandbox]\nbackend = \"deny-only\"\n[permissions.build.sqlx]\n"
                + "network-access = { action = \"permit\", routes = [\"192.0.2.1:5432\"] }\n");
        assertEquals(ExitCodes.UNENFORCEABLE, runWith(new DenyOnlyBackend(), "check", "--policy", file.toString()));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("the grant for crate 'sqlx' (policy " + file + ") cannot be enforced"), message);
        assertEquals(ExitCodes.UNENFORCEABLE, runWith(new DenyOnlyBackend(), "explain", "--crate", "sqlx",
                "--manifest-dir", dir.toString(), "--policy", file.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("cannot be enforced"), out.toString());
        assertEquals(0, runWith(new DenyOnlyBackend(), "check", "--syntax-only", "--policy", file.toString()));
    }

    @Test
    void explain_findsAWorkspaceMemberAndADependencyByNameAlone() throws IOException {
        Path cargo = RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        dev.cordon.testing.CargoProject.in(dir).binaryPackage("schema-gen", "fn main() {}", "fn main() {}",
                "serde = \"1\"").workspace(java.util.List.of(), "schema-gen");
        Map<String, String> env = Map.of("HOME", System.getProperty("user.home"), // rustup's toolchains
                "PATH", cargo.getParent() + ":/usr/bin:/bin");
        int status = Runner.builder().stdout(out).stderr(err).workingDirectory(dir).environment(env).build()
                .run("explain", "--crate", "schema-gen");
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("package: schema-gen in " + dir.resolve("schema-gen") + " (found with cargo metadata)"),
                text);
        assertTrue(text.contains("working directory: " + dir.resolve("schema-gen")), text);
        out.reset();
        status = Runner.builder().stdout(out).stderr(err).workingDirectory(dir).environment(env).build()
                .run("explain", "--crate", "serde");
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("(?s).*package: serde in /usr/share/cargo/registry/serde-1[^ ]* \\(found with cargo "
                + "metadata\\).*"), text);
    }

    @Test
    void explain_printsTheGrantAndTheBwrapPlanWithTheFilter() {
        RequiredTools.require("bwrap");
        assertEquals(0, run("explain", "--crate", "ring"), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("crate: ring") && text.contains("network: none"), text);
        // A root runner (a CI container) uses no user namespace and switches to the sandbox user instead.
        assertTrue(text.contains("backend: bwrap") && (text.contains("--unshare-all") || text.contains("--unshare-pid")),
                text);
        assertTrue(text.contains("seccomp: default + no-network"), text);
        assertTrue(text.contains("proc macros"), text);
    }

    @Test
    void explain_routesOnBwrapSayWhatIsEnforcedAndHow() throws IOException {
        RequiredTools.require("bwrap");
        Path file = policy("[permissions.build.sqlx]\n"
                + "network-access = { action = \"permit\", routes = [\"127.0.0.1:5432\"] }\n");
        assertEquals(0, run("explain", "--policy", file.toString(), "--crate", "sqlx"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("network: routes [127.0.0.1:5432]"), text);
        assertTrue(text.contains("exactly these addresses and ports (TCP and UDP)"), text);
        assertTrue(text.contains("/etc/hosts"), text);
        assertTrue(!text.contains("--share-net"), text);
    }

    @Test
    void liveLog_ttyShowsTheScriptsLinesOnTheTerminal() throws Exception {
        RequiredTools.require("bwrap");
        Path script = RequiredTools.require("script"); // util-linux: runs a command on a pseudo-terminal
        Path build = Files.createDirectories(dir.resolve("pkg/target/debug/build/probe-0123456789abcdef/out"))
                .getParent();
        Path program = Files.writeString(build.resolve("build-script-build"),
                "#!/bin/sh\necho cargo::warning=hi\necho to-stderr >&2\n");
        program.toFile().setExecutable(true, false); // as rustc leaves it: a root runner runs it as another user
        Path stdout = dir.resolve("stdout.txt");
        Path typescript = dir.resolve("typescript.txt");
        String command = "CORDON_LIVE_LOG=tty CORDON_NO_AOT=1 " + dev.cordon.testing.CargoProject.runnerLauncher()
                + " " + program + " > " + stdout + " 2>/dev/null";
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "-q", "-c", command, typescript.toString())
                .directory(dir.resolve("pkg").toFile()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("OUT_DIR", build.resolve("out").toString(), "CARGO_PKG_NAME", "probe",
                "CARGO_MANIFEST_DIR", dir.resolve("pkg").toString()));
        Process p = pb.start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        String terminal = Files.readString(typescript).replace("\r", "");
        assertTrue(terminal.matches("(?s).*\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[probe\\] stdout\\| cargo::warning=hi\n.*"),
                terminal);
        assertTrue(terminal.contains("[probe] stderr| to-stderr"), terminal);
        assertEquals("cargo::warning=hi\n", Files.readString(stdout), "Cargo's stdout stays untouched");
    }

    @Test
    void run_withoutAProgramIsAUsageError() {
        assertEquals(ExitCodes.USAGE, run());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no build-script program given"));
    }

    @Test
    void run_unknownOptionIsAUsageError() {
        assertEquals(ExitCodes.USAGE, run("--polcy", "x.toml", "/bin/true"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option '--polcy'"));
    }
}
