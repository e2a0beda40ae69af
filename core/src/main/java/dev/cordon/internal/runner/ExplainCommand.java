package dev.cordon.internal.runner;

import dev.cordon.Grant;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.internal.policy.evaluation.DeclaredNeeds;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code explain}: prints the grant and the plan for a crate without running anything. */
final class ExplainCommand {
    private ExplainCommand() {
    }

    static int run(RunnerEngine engine, RunnerEngine.Settings settings, Resolution resolution, Messages messages,
            Arguments arguments) {
        String crate = arguments.crate().orElseThrow();
        Optional<CargoPackages.Found> found = arguments.manifestDir().isPresent() ? Optional.empty()
                : CargoPackages.find(crate, settings.workingDirectory(), settings.environment());
        Path manifestDir = arguments.manifestDir().map(settings.workingDirectory()::resolve)
                .or(() -> found.map(CargoPackages.Found::manifestDir))
                .orElse(settings.workingDirectory()).normalize();
        Path targetDir = found.map(CargoPackages.Found::targetDir).orElse(manifestDir.resolve("target"));
        Path outDir = arguments.outDir().map(settings.workingDirectory()::resolve).orElse(targetDir
                .resolve("debug/build/" + crate + "-0000000000000000/out")).normalize();
        Map<String, String> env = new java.util.TreeMap<>(settings.environment());
        env.put("CARGO_PKG_NAME", crate);
        env.put("CARGO_MANIFEST_DIR", manifestDir.toString());
        env.put("OUT_DIR", outDir.toString());
        RunnerInvocation invocation = new RunnerInvocation(RunnerInvocation.Kind.BUILD_SCRIPT,
                outDir.getParent().resolve("build-script-build"), List.of(), manifestDir, env);
        Policy policy = resolution.source(arguments, invocation).policy();
        StringBuilder out = new StringBuilder();
        resolution.shadowNote(arguments).ifPresent(note -> out.append("note: ").append(note).append('\n'));
        out.append("package: ").append(crate).append(" in ").append(manifestDir).append(found.isPresent()
                ? " (found with cargo metadata)" : arguments.manifestDir().isPresent() ? " (--manifest-dir)"
                : " (the current directory: cargo metadata did not find the crate here)").append('\n');
        for (String notice : policy.notices()) {
            out.append("note: ").append(notice).append('\n');
        }
        // The grant and plan a run would get: the same preparation, without its side effects.
        Grant grant = policy.decide(invocation);
        try {
            RunnerEngine.Prepared prepared = engine.prepare(invocation, arguments, true, PhaseTimer.OFF);
            out.append("== grant\n").append(GrantDescription.of(prepared.grant()));
            limits(out, prepared.grant());
            declared(out, prepared.invocation(), prepared.grant(), policy);
            for (WritablePaths.Missing m : WritablePaths.missing(prepared.grant())) {
                if (m.path().equals(outDir)) {
                    continue; // Cargo creates OUT_DIR before it runs the script
                }
                out.append("note: ").append(m.describe()).append('\n');
            }
            out.append("== plan\n").append(prepared.plan().describe());
        } catch (SandboxException e) {
            out.append("== grant\n").append(GrantDescription.of(grant));
            limits(out, grant);
            out.append("== plan\nnone: ").append(e.getMessage()).append('\n');
            messages.out(out.toString().stripTrailing());
            return e.exitCode();
        }
        out.append("note: this is the build script's grant; proc macros run inside rustc, sandboxed only through "
                + "bin/cordon-rustc under [permissions.macro] (a [host] runner cannot wrap rustc)\n");
        messages.out(out.toString().stripTrailing());
        return 0;
    }

    /** What the package declares in its own Cargo.toml, next to what the policy grants. */
    private static void declared(StringBuilder out, RunnerInvocation invocation, Grant grant, Policy policy) {
        Optional<DeclaredNeeds> declared = DeclaredNeeds.of(invocation);
        if (declared.isEmpty()) {
            return;
        }
        out.append("== declared by the package in ").append(declared.get().manifest())
                .append(" (never granted by Cordon)\n");
        if (declared.get().problem().isPresent()) {
            out.append("invalid: ").append(declared.get().problem().get()).append('\n');
            return;
        }
        out.append(declared.get().toml()).append('\n');
        Policy base = policy instanceof RefinedPolicy refined ? refined.base() : policy;
        String prefix = base instanceof dev.cordon.internal.policy.evaluation.TomlPolicy toml ? toml.keyPrefix() : "";
        List<String> unmet = declared.get().unmet(invocation, grant, DeclaredNeeds.tableOf(prefix, invocation));
        if (unmet.isEmpty()) {
            out.append("the grant meets every declared need\n");
        }
        unmet.forEach(u -> out.append(u).append('\n'));
    }

    private static void limits(StringBuilder out, Grant grant) {
        out.append("== limits on this machine\n");
        dev.cordon.internal.limits.LimitEnforcement.probed().describe(grant.limits())
                .forEach(line -> out.append(line).append('\n'));
        out.append("allowed directives: ").append(grant.allowedDirectives().isEmpty() ? "none (the directive firewall"
                + " refuses code-loading directives)" : String.join(", ", grant.allowedDirectives())).append('\n');
    }
}
