package dev.cordon.sandbox.macos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.SourceMode;
import dev.cordon.SyscallFilter;
import dev.cordon.spi.Availability;
import dev.cordon.spi.Capability;
import dev.cordon.spi.SandboxBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeatbeltBackendTest {

    private static final Path HOME = Path.of("/Users/dev");
    private static final RunnerInvocation CALL = Fixtures.invocation(HOME.resolve("work/app"), "demo", HOME);

    private static SeatbeltBackend mac() {
        return new SeatbeltBackend("Mac OS X", p -> true, MacPaths.stringRulesOnly(), Path.of("/Users/dev/.cordon"));
    }

    @Test
    void availability_linuxIsUnavailableAndPointsToBwrap() {
        Availability a = new SeatbeltBackend("Linux", p -> true, MacPaths.stringRulesOnly(), Path.of("/x"))
                .availability();
        assertFalse(a.isAvailable());
        assertEquals("sandbox-exec is macOS only (this is Linux); on Linux use the bwrap backend", a.reason());
    }

    @Test
    void availability_macWithoutSandboxExecSaysWhatIsMissing() {
        Availability a = new SeatbeltBackend("Mac OS X", p -> false, MacPaths.stringRulesOnly(), Path.of("/x"))
                .availability();
        assertFalse(a.isAvailable());
        assertTrue(a.reason().startsWith("/usr/bin/sandbox-exec is missing"), a.reason());
    }

    @Test
    void availability_macWithSandboxExecIsAvailable() {
        assertTrue(mac().availability().isAvailable());
    }

    @Test
    void availability_onThisMachineMatchesTheOs() {
        boolean isMac = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).startsWith("mac");
        Availability a = new SeatbeltBackend().availability();
        if (!isMac) {
            assertFalse(a.isAvailable());
            assertTrue(a.reason().contains("on Linux use the bwrap backend"), a.reason());
        }
    }

    @Test
    void identity_idPriorityAndExactCapabilities() {
        SeatbeltBackend backend = mac();
        assertEquals("macos", backend.id());
        assertEquals(100, backend.priority());
        assertEquals(Set.of(Capability.NETWORK_DENY, Capability.NETWORK_LOOPBACK_ROUTES,
                Capability.WRITE_RESTRICTION, Capability.HIDE_PATHS, Capability.ENVIRONMENT),
                backend.capabilities());
    }

    @Test
    void serviceLoader_findsTheBackendById() {
        List<String> ids = ServiceLoader.load(SandboxBackend.class).stream()
                .map(p -> p.get().id()).toList();
        assertTrue(ids.contains("macos"), ids.toString());
    }

    @Test
    void plan_runsSandboxExecWithTheProfileBesideTheTemporaryDirectory() {
        Grant grant = Fixtures.defaultGrant(CALL).build();
        ExecutionPlan plan = mac().plan(CALL, grant, Optional.empty());
        Path profile = Path.of(grant.temporaryDirectory() + ".sb");
        assertEquals(List.of("/usr/bin/sandbox-exec", "-f", profile.toString(), CALL.program().toString()),
                plan.command());
        java.util.Map<String, String> env = new java.util.HashMap<>(grant.environment());
        env.put("CLANG_MODULE_CACHE_PATH", grant.temporaryDirectory() + "/clang-module-cache");
        env.put("GOCACHE", grant.temporaryDirectory() + "/go-build");
        assertEquals(env, plan.environment());
        assertEquals(CALL.workingDirectory(), plan.workingDirectory());
        assertEquals(1, plan.files().size());
        assertEquals(profile, plan.files().getFirst().path());
        assertEquals("macos", plan.backendId());
    }

    @Test
    void plan_passesTheJobserverPipeOn() {
        ExecutionPlan plan = mac().plan(CALL, Fixtures.defaultGrant(CALL).build(), Optional.empty());
        assertEquals(List.of(ExecutionPlan.Descriptor.inherited(3), ExecutionPlan.Descriptor.inherited(4)),
                plan.descriptors());
    }

    @Test
    void plan_jobserverFifoBecomesANoteNotAWritablePath() {
        var env = new java.util.HashMap<>(CALL.environment());
        env.put("CARGO_MAKEFLAGS", "-j --jobserver-auth=fifo:/tmp/j");
        RunnerInvocation call = RunnerInvocation.of(CALL.program(), CALL.workingDirectory(), env);
        ExecutionPlan plan = mac().plan(call, Fixtures.defaultGrant(call).build(), Optional.empty());
        assertTrue(plan.descriptors().isEmpty());
        assertTrue(plan.notes().stream().anyMatch(n -> n.contains("fifo '/tmp/j'")), plan.notes().toString());
    }

    @Test
    void plan_movesTheProfileWhenItsPlaceIsWritable() {
        Grant grant = Fixtures.defaultGrant(CALL).writable(CALL.buildDir().orElseThrow()).build();
        ExecutionPlan plan = mac().plan(CALL, grant, Optional.empty());
        Path profile = plan.files().getFirst().path();
        assertTrue(profile.startsWith(Path.of("/Users/dev/.cordon")), profile.toString());
        assertEquals(profile.toString(), plan.command().get(2));
    }

    @Test
    void plan_refusesWhenEveryProfilePlaceIsWritable() {
        Grant grant = Fixtures.defaultGrant(CALL).writable(HOME).build();
        SandboxException e = assertThrows(SandboxException.class, () -> mac().plan(CALL, grant, Optional.empty()));
        assertEquals(ExitCodes.SANDBOX_FAILED, e.exitCode());
    }

    @Test
    void plan_refusesANonLoopbackRouteNamingIt() {
        Grant grant = Fixtures.defaultGrant(CALL).network(NetworkAccess.routes(List.of(
                new Route("127.0.0.1", 5432), new Route("db.example.com", 5432)))).build();
        SandboxException e = assertThrows(SandboxException.class, () -> mac().plan(CALL, grant, Optional.empty()));
        assertEquals(ExitCodes.UNENFORCEABLE, e.exitCode());
        assertTrue(e.getMessage().contains("'db.example.com:5432'"), e.getMessage());
        assertTrue(e.getMessage().contains("crate 'demo'"), e.getMessage());
    }

    @Test
    void plan_sourceCopyWritesOnlyTheCopyTheRunnerGranted() {
        Path copy = HOME.resolve("work/app/target/debug/build/demo-1/cordon-src");
        Grant grant = Fixtures.defaultGrant(CALL).source(SourceMode.COPY).writable(copy).build();
        String profile = new String(mac().plan(CALL, grant, Optional.empty()).files().getFirst().content(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(profile.contains("(subpath \"" + copy + "\")"), profile);
    }

    @Test
    void plan_refusesASyscallFilter() {
        Grant grant = Fixtures.defaultGrant(CALL).build();
        Optional<SyscallFilter> filter = Optional.of(new SyscallFilter("default", new byte[8]));
        SandboxException e = assertThrows(SandboxException.class, () -> mac().plan(CALL, grant, filter));
        assertEquals(ExitCodes.UNENFORCEABLE, e.exitCode());
    }

    @Test
    void plan_refusesAHiddenPathWithANewlineBeforeWritingAnything() {
        Grant grant = Fixtures.defaultGrant(CALL).hidden(HOME.resolve("evil\n(allow default)")).build();
        SandboxException e = assertThrows(SandboxException.class, () -> mac().plan(CALL, grant, Optional.empty()));
        assertEquals(ExitCodes.UNENFORCEABLE, e.exitCode());
        assertTrue(e.getMessage().contains("evil\\u000A(allow default)"), e.getMessage());
    }

    @Test
    void plan_pointsClangAndGoCachesIntoTheTemporaryDirectoryUnlessAlreadyWritable() {
        Path cache = HOME.resolve("work/app/target/go-cache");
        Grant grant = Fixtures.defaultGrant(CALL).environment("CLANG_MODULE_CACHE_PATH", HOME + "/Library/Caches/clang")
                .environment("GOCACHE", cache.toString()).writable(cache).build();
        ExecutionPlan plan = mac().plan(CALL, grant, Optional.empty());
        assertEquals(grant.temporaryDirectory() + "/clang-module-cache", plan.environment().get("CLANG_MODULE_CACHE_PATH"));
        assertEquals(cache.toString(), plan.environment().get("GOCACHE"));
        assertTrue(plan.notes().stream().anyMatch(n -> n.startsWith("CLANG_MODULE_CACHE_PATH='/Users/dev/Library/Caches/"
                + "clang' is not writable in the sandbox")), plan.notes().toString());
    }

    @Test
    void plan_setsTmpdirWhenTheGrantHasNone() {
        Grant grant = Grant.builder("demo", Path.of("/Users/dev/t")).writable(Path.of("/Users/dev/t")).build();
        assertEquals("/Users/dev/t", mac().plan(CALL, grant, Optional.empty()).environment().get("TMPDIR"));
    }

    @Test
    void plan_hidesTheMacosSecretsOfTheScriptsHomeAndTheRunnersHome() {
        SeatbeltBackend backend = new SeatbeltBackend("Mac OS X", p -> true, MacPaths.stringRulesOnly(),
                Path.of("/Users/dev/.cordon"), Optional.of(Path.of("/var/root")));
        String profile = new String(backend.plan(CALL, Fixtures.defaultGrant(CALL).build(), Optional.empty()).files()
                .getFirst().content(), java.nio.charset.StandardCharsets.UTF_8);
        for (String secret : List.of("/Users/dev/Library/Keychains", "/var/root/Library/Keychains",
                "/private/var/root/Library/Keychains", "/Users/dev/Library/Application Support/Google/Chrome",
                "/Library/Keychains", "/private/var/db/SystemKey", "/System/Volumes/Data/Users/dev/Library/Keychains")) {
            assertTrue(profile.contains("(subpath \"" + secret + "\")"), secret);
        }
    }

    @Test
    void plan_refusesALoopbackAddressSeatbeltCannotNameWithTheReason() {
        Grant grant = Fixtures.defaultGrant(CALL).network(NetworkAccess.routes(List.of(new Route("127.0.0.2", 80))))
                .build();
        SandboxException e = assertThrows(SandboxException.class, () -> mac().plan(CALL, grant, Optional.empty()));
        assertEquals(ExitCodes.UNENFORCEABLE, e.exitCode());
        assertTrue(e.getMessage().contains("127.0.0.2 cannot be named"), e.getMessage());
        assertTrue(e.getMessage().contains("Connect to 127.0.0.1 instead"), e.getMessage());
    }

    @Test
    void plan_localhostByNameOpensOnlyTheResolverSocketAndSaysSo() {
        Grant byName = Fixtures.defaultGrant(CALL).network(NetworkAccess.routes(List.of(new Route("localhost", 5432))))
                .build();
        ExecutionPlan plan = mac().plan(CALL, byName, Optional.empty());
        String profile = new String(plan.files().getFirst().content(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(profile.contains("(allow network-outbound (remote unix-socket (path-literal"
                + " \"/private/var/run/mDNSResponder\")))"), profile);
        assertTrue(plan.notes().stream().anyMatch(n -> n.contains("can look up any name")), plan.notes().toString());
        Grant byAddress = Fixtures.defaultGrant(CALL).network(NetworkAccess.routes(List.of(new Route("::1", 5432))))
                .build();
        String closed = new String(mac().plan(CALL, byAddress, Optional.empty()).files().getFirst().content(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(closed.contains("unix-socket"), closed);
        assertFalse(closed.contains("system-socket"), closed);
    }

    @Test
    void explainFailure_namesANestedSandboxPlainly() {
        Grant grant = Fixtures.defaultGrant(CALL).build();
        Optional<String> text = mac().explainFailure(CALL, grant, 71,
                "sandbox-exec: sandbox_apply: Operation not permitted");
        assertTrue(text.orElseThrow().contains("already runs inside a macOS sandbox"), text.toString());
        assertTrue(text.orElseThrow().contains("The build script did not run"), text.toString());
    }

    @Test
    void explainFailure_namesAProfileThisMacosRefused() {
        Optional<String> text = mac().explainFailure(CALL, Fixtures.defaultGrant(CALL).build(), 65,
                "sandbox-exec: unbound variable: file-clone");
        assertTrue(text.orElseThrow().contains("refused the Seatbelt profile"), text.toString());
        assertTrue(text.orElseThrow().contains("unbound variable: file-clone"), text.toString());
    }

    @Test
    void explainFailure_saysNothingAboutAnOrdinaryFailureOrASuccess() {
        Grant grant = Fixtures.defaultGrant(CALL).build();
        assertEquals(Optional.empty(), mac().explainFailure(CALL, grant, 101, "thread 'main' panicked at build.rs:3"));
        assertEquals(Optional.empty(), mac().explainFailure(CALL, grant, 0, "sandbox-exec: sandbox_apply: Operation"
                + " not permitted"));
    }

    @Test
    void plan_onARealDiskHidesWhereLinksInsideAHiddenFolderLeadButNotTheHome(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        Path home = java.nio.file.Files.createDirectories(dir.resolve("home")).toRealPath();
        Path key = java.nio.file.Files.writeString(java.nio.file.Files.createDirectories(home.resolve("dotfiles"))
                .resolve("key"), "secret");
        Path ssh = java.nio.file.Files.createDirectories(home.resolve(".ssh"));
        java.nio.file.Files.createSymbolicLink(ssh.resolve("id_ed25519"), key);
        java.nio.file.Files.createSymbolicLink(ssh.resolve("everything"), home);
        RunnerInvocation call = Fixtures.invocation(home.resolve("work"), "demo", home);
        SeatbeltBackend backend = new SeatbeltBackend("Mac OS X", p -> true, MacPaths.fileSystem(),
                dir.resolve("profiles"));
        ExecutionPlan plan = backend.plan(call, Fixtures.defaultGrant(call).build(), Optional.empty());
        SbplEvaluator seatbelt = new SbplEvaluator(new String(plan.files().getFirst().content(),
                java.nio.charset.StandardCharsets.UTF_8));
        assertFalse(seatbelt.allows("file-read-data", key.toString()), "the link's target is readable");
        assertFalse(seatbelt.allows("file-read-data", ssh.resolve("id_ed25519").toString()));
        assertTrue(seatbelt.allows("file-read-data", home.resolve("work/demo/src/lib.rs").toString()),
                "a link to the home must not hide the home");
        assertTrue(plan.notes().stream().anyMatch(n -> n.contains("leads to '" + home + "', which the build needs")),
                plan.notes().toString());
    }

    @Test
    void plan_isPureAndRepeatable() {
        Grant grant = Fixtures.defaultGrant(CALL).build();
        assertEquals(mac().plan(CALL, grant, Optional.empty()), mac().plan(CALL, grant, Optional.empty()));
    }
}
