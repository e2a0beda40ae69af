package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.PolicyPrinter;
import dev.cordon.internal.policy.model.Rules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The rules of {@code [permissions.run]}: runs ({@code cargo run/test/bench}) and build scripts are decided by
 * their own tables only, and a run's defaults never let it write the target dir beyond its scratch folder.
 */
class RunPolicyProperties {

    /** A target dir as Cargo makes it (with CACHEDIR.TAG), so a run's target dir is found. */
    private static final Path TARGET = targetDir();

    private static Path targetDir() {
        try {
            Path target = Files.createTempDirectory("cordon-run-policy").resolve("target");
            Files.createDirectories(target.resolve("debug/deps"));
            Files.writeString(target.resolve("CACHEDIR.TAG"), "Signature: 8a477f597d28d172789f06886806bc55\n");
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Provide
    Arbitrary<PolicyModel> models() {
        return PolicyArbitraries.models();
    }

    @Provide
    Arbitrary<PolicyModel.Section> sections() {
        return PolicyArbitraries.section();
    }

    @Provide
    Arbitrary<RunnerInvocation> builds() {
        return PolicyArbitraries.invocations();
    }

    @Provide
    Arbitrary<RunnerInvocation> runs() {
        Arbitrary<String> crate = Arbitraries.oneOf(Arbitraries.of(PolicyArbitraries.CRATES), Arbitraries.of("unknown-crate"));
        Arbitrary<Map<String, String>> env = Arbitraries.maps(Arbitraries.of(PolicyArbitraries.ENV_NAMES),
                Arbitraries.of("1", "v", "/x")).ofMaxSize(8);
        return Combinators.combine(crate, env, Arbitraries.of(true, false), Arbitraries.of("/home/dev", "/root"))
                .as((c, e, withOutDir, home) -> {
                    Map<String, String> vars = new HashMap<>(e);
                    vars.put("CARGO_PKG_NAME", c);
                    vars.put("CARGO_MANIFEST_DIR", TARGET.getParent().resolve(c).toString());
                    vars.put("HOME", home);
                    if (withOutDir) {
                        vars.put("OUT_DIR", TARGET + "/debug/build/" + c + "-00ff/out");
                    }
                    return new RunnerInvocation(RunnerInvocation.Kind.RUN, TARGET.resolve("debug/deps/" + c + "-0123"),
                            java.util.List.of("--nocapture"), TARGET.getParent().resolve(c), vars);
                });
    }

    private static Grant decide(PolicyModel model, RunnerInvocation invocation) {
        return Policies.parse(PolicyPrinter.print(model), Fixtures.POLICY).decide(invocation);
    }

    @Property(tries = 200)
    void decide_runIgnoresTheBuildTables(@ForAll("models") PolicyModel model, @ForAll("sections") PolicyModel.Section other,
            @ForAll("runs") RunnerInvocation run) {
        PolicyModel changed = new PolicyModel(model.backend(), model.layers(), other, model.macro(), model.run());
        assertEquals(decide(model, run), decide(changed, run));
    }

    @Property(tries = 200)
    void decide_buildScriptIgnoresTheRunTables(@ForAll("models") PolicyModel model,
            @ForAll("sections") PolicyModel.Section other, @ForAll("builds") RunnerInvocation build) {
        PolicyModel changed = new PolicyModel(model.backend(), model.layers(), model.build(), model.macro(),
                Optional.of(other));
        assertEquals(decide(model, build), decide(changed, build));
    }

    @Property(tries = 200)
    void decide_runTableRulesLikeABuildTable(@ForAll("models") PolicyModel model, @ForAll("runs") RunnerInvocation run) {
        PolicyModel.Section section = model.run().orElse(PolicyModel.Section.EMPTY);
        Rules crate = section.crate(run.crateName()).orElse(Rules.EMPTY);
        Grant grant = decide(model, run);
        assertEquals(crate.network().or(() -> section.defaults().network()).orElse(NetworkAccess.none()), grant.network());
        for (String secret : java.util.List.of(".ssh", ".aws", ".cargo/credentials.toml")) {
            Path hidden = Path.of(run.environment().get("HOME")).resolve(secret);
            assertTrue(grant.hidden().contains(hidden), secret);
            assertFalse(grant.readable().stream().anyMatch(p -> p.startsWith(hidden)), secret);
        }
    }

    @Property(tries = 200)
    void decide_runDefaultsWriteOnlyTheScratchFolderAndTheirTemporaryDirectory(@ForAll("runs") RunnerInvocation run) {
        Grant grant = Policies.defaults().decide(run);
        assertEquals(NetworkAccess.none(), grant.network());
        assertEquals(java.util.List.of(TARGET.resolve("tmp"), grant.temporaryDirectory()), grant.writable());
        assertTrue(grant.temporaryDirectory().startsWith(TARGET.resolve("tmp")), grant.temporaryDirectory().toString());
        run.outDir().ifPresent(out -> assertFalse(grant.writable().stream().anyMatch(out::startsWith), "OUT_DIR"));
        assertEquals(java.util.List.of(TARGET.getParent(), run.workingDirectory()), grant.readable());
    }
}
