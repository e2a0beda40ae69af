package dev.cordon.internal.runner;

import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.discovery.ProviderRegistry;
import dev.cordon.internal.text.Suggestions;
import dev.cordon.spi.SandboxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code check}: validates a policy file afresh (never from the cache), including the backend it names, and
 * answers for this machine: every crate's grant must be enforceable by the backend it would get here.
 * {@code --syntax-only} stops after the validation, for a policy shared across platforms.
 */
final class CheckCommand {
    private CheckCommand() {
    }

    static int run(RunnerEngine.Settings settings, Resolution resolution, Messages messages,
            Arguments arguments) {
        Optional<Path> file = resolution.policyFile(arguments);
        resolution.shadowNote(arguments).ifPresent(note -> messages.out("note: " + note));
        if (file.isEmpty() && settings.policy().isEmpty()) {
            file = resolution.manifestWithPolicy(); // the workspace's Cargo.toml, validated afresh below
        }
        if (file.isEmpty()) {
            Policy policy = resolution.policy(arguments);
            messages.out("no policy file given (--policy FILE or CORDON_POLICY) and no [workspace.metadata.cordon]"
                    + " in the workspace's Cargo.toml: " + policy.name() + " applies");
            if (!arguments.syntaxOnly()) {
                messages.out("OK on this machine (backend " + String.join(", ", enforceable(policy, settings,
                        resolution)) + ")");
            }
            return 0;
        }
        String text;
        try {
            text = Files.readString(file.get());
        } catch (IOException e) {
            dev.cordon.internal.policy.PolicyLoader.load(file.get(), settings.environment()); // throws the policy-not-found error with its message and exit code
            throw new PolicyException(List.of(new PolicyViolation(file, 0, 0, "", "cannot read the policy: "
                    + e.getMessage(), "check the file's permissions")), ExitCodes.POLICY_NOT_FOUND);
        }
        Policy policy = Policies.parse(text, file.get()); // always validated afresh, never from the cache
        // The backend a policy names must exist here; whether it is available is this machine's business.
        Grant sample = policy.decide(sampleCall(settings, "cordon-check"));
        String backend = sample.backend().id();
        if (!sample.backend().isAuto() && !sample.backend().isNone()) {
            List<SandboxBackend> known = ProviderRegistry.of(SandboxBackend.class, settings.discover(),
                    settings.classLoader(), settings.backends(), SandboxBackend::id).all();
            boolean found = false;
            for (SandboxBackend b : known) {
                found |= b.id().equals(backend);
            }
            if (!found) {
                List<String> ids = new ArrayList<>();
                for (SandboxBackend b : known) {
                    ids.add(b.id());
                }
                int line = 0;
                String[] lines = text.split("\n", -1);
                for (int i = 0; i < lines.length && line == 0; i++) {
                    line = lines[i].strip().startsWith("backend") ? i + 1 : 0;
                }
                String near = Suggestions.didYouMean(backend, ids);
                throw new PolicyException(List.of(new PolicyViolation(file, line, 0, "sandbox.backend",
                        "unknown backend '" + backend + "': no such provider on this runner's class path",
                        (near.isEmpty() ? "" : near + " ") + "known: auto, none" + (ids.isEmpty() ? "" : ", "
                                + String.join(", ", ids)))), ExitCodes.INVALID_POLICY);
            }
        }
        for (String notice : policy.notices()) {
            messages.out("note: " + notice);
        }
        if (arguments.syntaxOnly()) {
            messages.out("policy OK (syntax only, not checked against this machine): " + policy.name());
            return 0;
        }
        String backends = String.join(", ", enforceable(policy, settings, resolution));
        if (policy instanceof dev.cordon.internal.policy.evaluation.TomlPolicy toml && toml.model().macro().isPresent()
                && !toml.model().macro().get().crates().isEmpty()) {
            macroTables(toml.model().macro().get().crates().keySet(), text, file.get(), settings, messages);
        }
        messages.out("policy OK on this machine (backend " + backends + "; --syntax-only skips this check): "
                + policy.name());
        return 0;
    }

    /**
     * Warns about {@code [permissions.macro.X]} tables that name no proc-macro package of the workspace in the
     * current directory ({@code cargo metadata}): such a table never applies. A library whose macros live in a
     * package of their own ({@code sqlx} and {@code sqlx-macros}) gets that package suggested.
     */
    static void macroTables(java.util.Set<String> tables, String text, Path file, RunnerEngine.Settings settings,
            Messages messages) {
        Optional<java.util.SortedMap<String, Boolean>> packages = CargoPackages.procMacros(settings.workingDirectory(),
                settings.environment());
        if (packages.isEmpty()) {
            messages.out("note: [permissions.macro.*] tables not checked against a workspace: cargo metadata found "
                    + "none in " + settings.workingDirectory() + " (run check in the workspace)");
            return;
        }
        List<String> macros = new ArrayList<>();
        packages.get().forEach((name, macro) -> {
            if (macro) {
                macros.add(name);
            }
        });
        for (String table : tables) {
            String wanted = dev.cordon.internal.policy.model.PolicyModel.normalise(table);
            boolean found = false;
            for (String m : macros) {
                found |= dev.cordon.internal.policy.model.PolicyModel.normalise(m).equals(wanted);
            }
            if (found) {
                continue;
            }
            List<String> near = new ArrayList<>();
            for (String m : macros) {
                if (dev.cordon.internal.policy.model.PolicyModel.normalise(m).startsWith(wanted + "_")) {
                    near.add(m);
                }
            }
            String suggestion = !near.isEmpty() ? "its proc macros are in " + String.join(", ", near.stream()
                    .map(n -> "[permissions.macro." + n + "]").toList()) + ": rename the table"
                    : Suggestions.didYouMean(table, macros);
            boolean known = packages.get().keySet().stream().anyMatch(n -> dev.cordon.internal.policy.model.PolicyModel
                    .normalise(n).equals(wanted));
            int line = 0;
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length && line == 0; i++) {
                line = lines[i].replace(" ", "").equals("[permissions.macro." + table + "]")
                        || lines[i].replace(" ", "").equals("[permissions.macro.\"" + table + "\"]") ? i + 1 : 0;
            }
            messages.out("warning: " + file + (line > 0 ? ":" + line : "") + ": [permissions.macro." + table
                    + "] never applies: " + (known ? "package '" + table + "' is not a proc macro"
                    : "no package '" + table + "' in this workspace") + " (proc macros here: "
                    + (macros.isEmpty() ? "none" : String.join(", ", macros)) + ")"
                    + (suggestion.isEmpty() ? "" : "; " + suggestion));
        }
    }

    /**
     * For this machine: the backend each crate's grant gets must be available here and able to enforce the
     * grant; throws with the message and exit code the build would give.
     *
     * @return the ids of the backends the grants get
     */
    private static java.util.Set<String> enforceable(Policy policy, RunnerEngine.Settings settings,
            Resolution resolution) {
        List<String> crates = new ArrayList<>(List.of("cordon-check"));
        if (policy instanceof dev.cordon.internal.policy.evaluation.TomlPolicy toml) {
            crates.addAll(toml.model().build().crates().keySet());
        }
        dev.cordon.internal.discovery.BackendSelector selector = resolution.selector();
        java.util.Set<String> used = new java.util.TreeSet<>();
        for (String crate : crates) {
            Grant grant = policy.decide(sampleCall(settings, crate));
            SandboxBackend chosen = selector.select(grant);
            GrantCheck.requireEnforceable(grant, chosen);
            used.add(chosen.id());
        }
        return used;
    }

    private static RunnerInvocation sampleCall(RunnerEngine.Settings settings, String crate) {
        Path dir = settings.workingDirectory();
        return new RunnerInvocation(RunnerInvocation.Kind.BUILD_SCRIPT, dir.resolve("build-script-build"), List.of(),
                dir, Map.of("CARGO_PKG_NAME", crate, "CARGO_MANIFEST_DIR", dir.toString()));
    }
}
