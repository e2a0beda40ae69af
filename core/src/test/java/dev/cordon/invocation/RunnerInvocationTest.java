package dev.cordon.invocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cordon.CordonException;
import dev.cordon.ExitCodes;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.invocation.HostRunnerDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerInvocationTest {

    @Test
    void targetDir_derivedFromOutDir() {
        var inv = RunnerInvocation.of(Path.of("/w/target/debug/build/foo-1/build-script-build"), Path.of("/w/foo"),
                Map.of("OUT_DIR", "/w/target/debug/build/foo-1/out", "CARGO_PKG_NAME", "foo"));
        assertEquals(Optional.of(Path.of("/w/target")), inv.targetDir());
        assertEquals(Optional.of(Path.of("/w/target/debug/build/foo-1")), inv.buildDir());
        assertEquals("foo", inv.crateName());
    }

    @Test
    void targetDir_skipsTheTripleLevelOfCrossBuilds() {
        var inv = RunnerInvocation.of(Path.of("/p"), Path.of("/w"), Map.of("TARGET", "x86_64-unknown-linux-gnu",
                "OUT_DIR", "/w/target/x86_64-unknown-linux-gnu/release/build/foo-1/out"));
        assertEquals(Optional.of(Path.of("/w/target")), inv.targetDir());
    }

    @Test
    void targetDir_emptyForAnUnknownLayout() {
        var inv = RunnerInvocation.of(Path.of("/p"), Path.of("/w"), Map.of("OUT_DIR", "/somewhere/out"));
        assertEquals(Optional.empty(), inv.targetDir());
        assertEquals("<unknown>", RunnerInvocation.of(Path.of("/p"), Path.of("/w"), Map.of()).crateName());
    }

    @Test
    void features_comeFromCargoFeatureVariables() {
        var inv = RunnerInvocation.of(Path.of("/p"), Path.of("/w"), Map.of("CARGO_FEATURE_STD", "1",
                "CARGO_FEATURE_BUNDLED_SQLITE", "1", "CARGO_CFG_UNIX", ""));
        assertEquals(List.of("bundled_sqlite", "std"), inv.features());
    }

    @Property
    void jobserverDescriptors_readBothSpellings(@ForAll @IntRange(min = 3, max = 1000) int r,
            @ForAll @IntRange(min = 3, max = 1000) int w, @ForAll boolean oldSpelling) {
        String flags = "-j " + (oldSpelling ? "--jobserver-fds=" : "--jobserver-auth=") + r + "," + w;
        var inv = RunnerInvocation.of(Path.of("/p"), Path.of("/w"), Map.of("CARGO_MAKEFLAGS", flags));
        assertEquals(r == w ? List.of(r) : List.of(r, w), inv.jobserver().orElseThrow().descriptors());
    }

    @Property
    void crateName_isCargoPkgNameVerbatim(@ForAll @AlphaChars @StringLength(min = 1, max = 30) String name) {
        var inv = RunnerInvocation.of(Path.of("/p"), Path.of("/w"), Map.of("CARGO_PKG_NAME", name + "-x_y"));
        assertEquals(name + "-x_y", inv.crateName());
    }

    @Test
    void decode_acceptsAnyBuildScriptFileName(@TempDir Path dir) throws IOException {
        for (String name : List.of("build-script-build", "build_script_build", "build-script-main")) {
            Path program = Files.createFile(dir.resolve(name));
            var inv = new HostRunnerDecoder().decode(List.of(program.toString()), dir,
                    Map.of("OUT_DIR", dir.toString(), "CARGO_PKG_NAME", "x")).orElseThrow();
            assertEquals(program, inv.program());
            assertEquals(RunnerInvocation.Kind.BUILD_SCRIPT, inv.kind());
        }
    }

    @Test
    void decode_withoutProgram_isAUsageError(@TempDir Path dir) {
        var e = assertThrows(CordonException.class, () -> new HostRunnerDecoder().decode(List.of(), dir, Map.of()));
        assertEquals(ExitCodes.USAGE, e.exitCode());
    }

    @Test
    void decode_missingProgram_isABadInvocation(@TempDir Path dir) {
        var e = assertThrows(CordonException.class,
                () -> new HostRunnerDecoder().decode(List.of(dir + "/nope"), dir, Map.of()));
        assertEquals(ExitCodes.BAD_INVOCATION, e.exitCode());
    }
}
