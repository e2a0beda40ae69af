package dev.cordon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.policy.evaluation.MacroGrants;
import dev.cordon.internal.policy.model.PathSpec;
import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.model.PolicyPrinter;
import dev.cordon.internal.policy.model.Rules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The composition of {@code [permissions.macro]} (issue 15): a rustc call that loads proc macros gets the union
 * of the loaded macros' own rules ({@code [permissions.macro]} refined by each package's table), hidden paths
 * stay hidden whoever permits them, no other table counts, and rustc's own outputs are all it writes by default.
 */
class MacroPolicyProperties {

    private static final Path TARGET = targetDir();

    private static Path targetDir() {
        try {
            Path target = Files.createTempDirectory("cordon-macro-policy").resolve("target");
            Files.createDirectories(target.resolve("debug/deps"));
            Files.writeString(target.resolve("CACHEDIR.TAG"), "Signature: 8a477f597d28d172789f06886806bc55\n");
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Provide
    Arbitrary<PolicyModel> models() {
        return PolicyArbitraries.models().flatMap(m -> PolicyArbitraries.section().map(macro ->
                new PolicyModel(m.backend(), m.layers(), m.build(), Optional.of(macro), m.run())));
    }

    @Provide
    Arbitrary<PolicyModel.Section> sections() {
        return PolicyArbitraries.section();
    }

    @Provide
    Arbitrary<List<String>> macroSets() {
        return Arbitraries.of(PolicyArbitraries.CRATES).set().ofMinSize(1).ofMaxSize(4).map(List::copyOf);
    }

    @Provide
    Arbitrary<RunnerInvocation> calls() {
        Arbitrary<Map<String, String>> env = Arbitraries.maps(Arbitraries.of(PolicyArbitraries.ENV_NAMES),
                Arbitraries.of("1", "v", "/x")).ofMaxSize(8);
        return Combinators.combine(macroSets(), env, Arbitraries.of(true, false), Arbitraries.of("/home/dev", "/root"))
                .as((macros, e, incremental, home) -> call(macros, e, incremental, home));
    }

    private static RunnerInvocation call(List<String> macros, Map<String, String> env, boolean incremental,
            String home) {
        Map<String, String> vars = new HashMap<>(env);
        vars.put("CARGO_PKG_NAME", "app");
        vars.put("CARGO_MANIFEST_DIR", TARGET.getParent().resolve("app").toString());
        vars.put("HOME", home);
        List<String> args = new ArrayList<>(List.of("--crate-name", "app", "--edition=2021", "src/main.rs",
                "--crate-type", "bin", "--emit=dep-info,link", "-C", "extra-filename=-0123", "--out-dir",
                TARGET.resolve("debug/deps").toString()));
        if (incremental) {
            args.addAll(List.of("-C", "incremental=" + TARGET.resolve("debug/incremental")));
        }
        args.addAll(List.of("-L", "dependency=" + TARGET.resolve("debug/deps"), "--extern",
                "serde=" + TARGET.resolve("debug/deps/libserde-1.rlib")));
        return new RunnerInvocation(RunnerInvocation.Kind.MACRO, Path.of("/opt/rust/bin/rustc"), args,
                TARGET.getParent().resolve("app"), vars, macros);
    }

    private static RunnerInvocation withMacros(RunnerInvocation call, List<String> macros) {
        return new RunnerInvocation(call.kind(), call.program(), call.arguments(), call.workingDirectory(),
                call.environment(), macros);
    }

    private static Grant decide(PolicyModel model, RunnerInvocation invocation) {
        return Policies.parse(PolicyPrinter.print(model), Fixtures.POLICY).decide(invocation);
    }

    /** One macro's own rules, as a build-script crate table refines [permissions.build]. */
    private static Rules own(PolicyModel model, String macro) {
        PolicyModel.Section section = model.macro().orElse(PolicyModel.Section.EMPTY);
        return MacroGrants.compose(section, List.of(macro));
    }

    private static Map<String, Path> variables(RunnerInvocation call, Grant grant) {
        Map<String, Path> vars = new HashMap<>();
        vars.put("CARGO_MANIFEST_DIR", call.manifestDir());
        vars.put("HOME", Path.of(call.environment().get("HOME")));
        vars.put("TMPDIR", grant.temporaryDirectory());
        vars.put("TARGET_DIR", TARGET);
        vars.put("WORKSPACE_ROOT", TARGET.getParent());
        return vars;
    }

    @Property(tries = 200)
    void decide_theOrderOfTheLoadedMacrosDoesNotMatter(@ForAll("models") PolicyModel model,
            @ForAll("calls") RunnerInvocation call) {
        List<String> reversed = new ArrayList<>(call.procMacros());
        Collections.reverse(reversed);
        assertEquals(decide(model, call), decide(model, withMacros(call, reversed)));
    }

    @Property(tries = 200)
    void decide_everyLoadedMacrosPermitIsInTheGrant(@ForAll("models") PolicyModel model,
            @ForAll("calls") RunnerInvocation call) {
        Grant grant = decide(model, call);
        Map<String, Path> vars = variables(call, grant);
        for (String macro : call.procMacros()) {
            Rules own = own(model, macro);
            NetworkAccess network = own.network().orElse(NetworkAccess.none());
            switch (network.mode()) {
                case ALL -> assertEquals(NetworkAccess.all(), grant.network(), macro);
                case ROUTES -> {
                    if (grant.network().mode() != NetworkAccess.Mode.ALL) {
                        for (Route r : network.routes()) {
                            assertTrue(grant.network().routes().contains(r), macro + " " + r);
                        }
                    }
                }
                default -> {
                }
            }
            for (PathSpec spec : own.write()) {
                spec.resolve(vars).map(p -> p.toAbsolutePath().normalize()).ifPresent(p -> assertTrue(
                        grant.writable().contains(p) || grant.hidden().stream().anyMatch(p::startsWith), macro + " " + p));
            }
        }
    }

    @Property(tries = 200)
    void decide_noNetworkUnlessALoadedMacroIsPermittedIt(@ForAll("models") PolicyModel model,
            @ForAll("calls") RunnerInvocation call) {
        boolean permitted = call.procMacros().stream().anyMatch(m -> own(model, m).network()
                .filter(n -> n.mode() != NetworkAccess.Mode.NONE).isPresent());
        if (!permitted) {
            assertEquals(NetworkAccess.none(), decide(model, call).network());
        }
    }

    @Property(tries = 200)
    void decide_hiddenBeatsEveryMacrosPermit(@ForAll("models") PolicyModel model, @ForAll("calls") RunnerInvocation call) {
        Grant grant = decide(model, call);
        Map<String, Path> vars = variables(call, grant);
        List<Path> hiddenByATable = new ArrayList<>();
        for (String macro : call.procMacros()) {
            for (PathSpec spec : own(model, macro).hide()) {
                spec.resolve(vars).map(p -> p.toAbsolutePath().normalize()).ifPresent(hiddenByATable::add);
            }
        }
        for (String secret : List.of(".ssh", ".aws", ".cargo/credentials.toml")) {
            hiddenByATable.add(Path.of(call.environment().get("HOME")).resolve(secret));
        }
        for (Path hidden : hiddenByATable) {
            assertTrue(grant.hidden().contains(hidden), hidden.toString());
            assertFalse(grant.readable().stream().anyMatch(p -> p.startsWith(hidden)), hidden + " readable");
            assertFalse(grant.writable().stream().anyMatch(p -> p.startsWith(hidden)), hidden + " writable");
        }
    }

    @Property(tries = 200)
    void decide_loadingOneMoreMacroNeverNarrowsTheNetwork(@ForAll("models") PolicyModel model,
            @ForAll("calls") RunnerInvocation call, @ForAll("macroSets") List<String> more) {
        List<String> union = new ArrayList<>(call.procMacros());
        union.addAll(more);
        NetworkAccess before = decide(model, call).network();
        NetworkAccess after = decide(model, withMacros(call, union)).network();
        if (after.mode() != NetworkAccess.Mode.ALL) {
            assertFalse(before.mode() == NetworkAccess.Mode.ALL, before + " -> " + after);
            assertTrue(after.routes().containsAll(before.routes()), before + " -> " + after);
        }
    }

    @Property(tries = 200)
    void decide_onlyTheMacroTablesCount(@ForAll("models") PolicyModel model, @ForAll("sections") PolicyModel.Section other,
            @ForAll("calls") RunnerInvocation call) {
        PolicyModel changed = new PolicyModel(model.backend(), model.layers(), other, model.macro(), Optional.of(other));
        assertEquals(decide(model, call), decide(changed, call));
    }

    @Property(tries = 100)
    void decide_defaultsWriteOnlyRustcsOutputsAndTheTemporaryDirectory(@ForAll("calls") RunnerInvocation call) {
        Grant grant = Policies.defaults().decide(call);
        assertEquals(NetworkAccess.none(), grant.network());
        List<Path> expected = new ArrayList<>(List.of(TARGET.resolve("debug/deps")));
        if (call.arguments().contains("incremental=" + TARGET.resolve("debug/incremental"))) {
            expected.add(TARGET.resolve("debug/incremental"));
        }
        expected.add(grant.temporaryDirectory());
        assertEquals(expected, grant.writable());
        assertTrue(grant.temporaryDirectory().startsWith(TARGET.resolve("debug/cordon-rustc")),
                grant.temporaryDirectory().toString());
    }
}
