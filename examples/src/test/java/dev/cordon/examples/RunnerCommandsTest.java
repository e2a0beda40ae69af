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
    void explain_printsTheGrantAndTheBwrapPlanWithTheFilter() {
        RequiredTools.require("bwrap");
        assertEquals(0, run("explain", "--crate", "ring"), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("crate: ring") && text.contains("network: none"), text);
        assertTrue(text.contains("backend: bwrap") && text.contains("--unshare-all"), text);
        assertTrue(text.contains("seccomp: default + no-network"), text);
        assertTrue(text.contains("proc macros"), text);
    }

    @Test
    void explain_routesOnBwrapAreRefusedWithTheWayOut() throws IOException {
        RequiredTools.require("bwrap");
        Path file = policy("[permissions.build.sqlx]\n"
                + "network-access = { action = \"permit\", routes = [\"127.0.0.1:5432\"] }\n");
        assertEquals(ExitCodes.UNENFORCEABLE, run("explain", "--policy", file.toString(), "--crate", "sqlx"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("can only grant all-or-nothing network"), text);
        assertTrue(text.contains("network-access = { action = \"permit\" }"), text);
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
