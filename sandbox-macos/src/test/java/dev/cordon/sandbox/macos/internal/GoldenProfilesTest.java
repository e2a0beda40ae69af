package dev.cordon.sandbox.macos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Compares the profiles of representative grants byte for byte with reviewed copies in
 * {@code src/test/resources/golden}. After an intended change, rewrite them with
 * {@code bin/mvn -pl sandbox-macos test -Dtest=GoldenProfilesTest -Dcordon.updateGolden=true}, then
 * review the diff by hand before committing.
 */
class GoldenProfilesTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final Path HOME = Path.of("/Users/dev");

    /** Directories and files as a Mac would report them; everything else is unknown. */
    private static final Map<Path, MacPaths.Kind> KINDS = Map.of(
            HOME.resolve(".ssh"), MacPaths.Kind.DIRECTORY,
            HOME.resolve(".aws"), MacPaths.Kind.DIRECTORY,
            HOME.resolve(".netrc"), MacPaths.Kind.FILE,
            HOME.resolve("Library/Keychains"), MacPaths.Kind.DIRECTORY,
            HOME.resolve("work/app/.env"), MacPaths.Kind.FILE);

    private static final MacPaths PATHS = new MacPaths(p -> p, p -> KINDS.getOrDefault(p, MacPaths.Kind.UNKNOWN));

    private static String plan(RunnerInvocation invocation, Grant grant) {
        SeatbeltBackend backend = new SeatbeltBackend("Mac OS X", p -> true, PATHS, Path.of("/Users/dev/.cordon"));
        ExecutionPlan plan = backend.plan(invocation, grant, Optional.empty());
        return new String(plan.files().getFirst().content(), StandardCharsets.UTF_8);
    }

    private static void assertGolden(String name, String profile) throws IOException {
        assertTrue(SbplReader.readAll(profile).size() > 2, "profile must parse");
        Path file = GOLDEN.resolve(name + ".sb");
        if (Boolean.getBoolean("cordon.updateGolden")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, profile, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(file), file.toAbsolutePath() + " is missing: run with -Dcordon.updateGolden=true");
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), profile,
                "profile differs from " + file + "; if intended, rerun with -Dcordon.updateGolden=true and review");
    }

    @Test
    void golden_defaultGrant() throws IOException {
        RunnerInvocation invocation = Fixtures.invocation(HOME.resolve("work/app"), "demo", HOME);
        assertGolden("default-grant", plan(invocation, Fixtures.defaultGrant(invocation).build()));
    }

    @Test
    void golden_loopbackRoutes() throws IOException {
        RunnerInvocation invocation = Fixtures.invocation(HOME.resolve("work/app"), "sqlx", HOME);
        Grant grant = Fixtures.defaultGrant(invocation).network(NetworkAccess.routes(List.of(
                Route.parse("127.0.0.1:5432").orElseThrow(), Route.parse("[::1]:5432").orElseThrow(),
                Route.parse("localhost:6379").orElseThrow()))).build();
        assertGolden("loopback-routes", plan(invocation, grant));
    }

    @Test
    void golden_extraHiddenReadableWritablePathsAndFullNetwork() throws IOException {
        RunnerInvocation invocation = Fixtures.invocation(HOME.resolve("work/app"), "openssl-sys", HOME);
        Grant grant = Fixtures.defaultGrant(invocation).network(NetworkAccess.all())
                .writable(HOME.resolve("work/app/mydb.sqlite"))
                .writable(HOME.resolve("data/it's \"quoted\" (v2); \\ back"))
                .writable(Path.of("/var/folders/zz/abc123/T/cc-cache"))
                .readable(Path.of("/opt/homebrew/include"))
                .hidden(HOME.resolve("work/app/.env"))
                .hidden(HOME.resolve("Library/Keychains"))
                .hidden(HOME.resolve("Документы/ключ 🔑"))
                .build();
        assertGolden("extra-paths-network-all", plan(invocation, grant));
    }

    @Test
    void golden_hiddenPathInsideAWritableFolderAndLocalhostByName() throws IOException {
        RunnerInvocation invocation = Fixtures.invocation(HOME.resolve("work/app"), "diesel", HOME);
        Grant grant = Fixtures.defaultGrant(invocation).writable(HOME.resolve("work"))
                .hidden(HOME.resolve("work/app/config/.env"))
                .network(NetworkAccess.routes(List.of(Route.parse("localhost:5432").orElseThrow()))).build();
        assertGolden("hidden-inside-writable-localhost-by-name", plan(invocation, grant));
    }

    @Test
    void golden_projectUnderTmp() throws IOException {
        RunnerInvocation invocation = Fixtures.invocation(Path.of("/tmp/proj"), "libz-sys", Path.of("/var/root"));
        Grant grant = Fixtures.defaultGrant(invocation).writable(Path.of("/etc/demo.conf")).build();
        assertGolden("project-under-tmp", plan(invocation, grant));
    }
}
