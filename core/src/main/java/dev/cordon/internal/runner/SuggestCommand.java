package dev.cordon.internal.runner;

import dev.cordon.ExitCodes;
import dev.cordon.SandboxException;
import dev.cordon.internal.audit.JsonLinesAuditLog;
import dev.cordon.internal.policy.PolicyAdditions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code suggest}: the policy lines that would have let every failed build script (or run) pass, as TOML on
 * stdout, each table with comments naming the crate and the denial that asked for it (see
 * {@link PolicyAdditions}). Reads the audit log ({@code --audit-log FILE}, else {@code $CORDON_AUDIT_LOG}), or
 * with {@code --build} runs {@code cargo build --keep-going} in the current directory first, with a fresh
 * audit log, so every script that can run does.
 *
 * <p>Exit status: 0 when every failed run got a line (or none failed), 1 when some failed run has none (its
 * reason is printed as a comment: not a denial, or an explanation without a concrete path or server).
 */
final class SuggestCommand {
    private SuggestCommand() {
    }

    static int run(RunnerEngine.Settings settings, Messages messages, Arguments arguments) {
        Path log;
        if (arguments.build()) {
            log = build(settings, messages, arguments.rest());
        } else {
            log = arguments.auditLog().map(settings.workingDirectory()::resolve)
                    .or(() -> JsonLinesAuditLog.fromEnvironment(settings.environment(), settings.workingDirectory())
                            .map(JsonLinesAuditLog::file))
                    .orElseThrow(() -> Arguments.usage("suggest reads the audit log: give --audit-log FILE, set "
                            + JsonLinesAuditLog.VARIABLE + " for the build, or use --build"));
        }
        List<String> records;
        try {
            records = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SandboxException("cannot read the audit log " + log + ": " + e.getMessage(),
                    ExitCodes.POLICY_NOT_FOUND, e);
        }
        PolicyAdditions additions = PolicyAdditions.fromAuditLog(records);
        StringBuilder out = new StringBuilder();
        out.append("# cordon suggest: from ").append(log).append(" (the last run of each crate; ")
                .append(additions.failedRuns()).append(" failed)")
                .append('\n');
        out.append("# Only what a denial showed, nothing wider. Review each line before you add it to your policy;")
                .append('\n').append("# where your table already has the key, merge the values.\n");
        if (additions.isEmpty() && additions.unsolved().isEmpty()) {
            out.append("# nothing to add: no run failed on a denial\n");
        }
        if (!additions.isEmpty()) {
            out.append('\n').append(additions.toml());
        }
        for (String unsolved : additions.unsolved()) {
            out.append("\n# no line for ").append(unsolved).append('\n');
        }
        messages.out(out.toString().stripTrailing());
        return additions.unsolved().isEmpty() ? 0 : 1;
    }

    /** Runs {@code cargo build --keep-going} with a fresh audit log; its output goes to stderr. */
    private static Path build(RunnerEngine.Settings settings, Messages messages, List<String> cargoArgs) {
        Path log;
        try {
            log = Files.createTempFile("cordon-suggest-", ".jsonl");
        } catch (IOException e) {
            throw new SandboxException("cannot create an audit log for the build: " + e.getMessage(),
                    ExitCodes.SANDBOX_FAILED, e);
        }
        List<String> command = new ArrayList<>(List.of(settings.environment().getOrDefault("CARGO", "cargo"), "build",
                "--keep-going"));
        command.addAll(cargoArgs);
        Map<String, String> env = new TreeMap<>(settings.environment());
        env.put(JsonLinesAuditLog.VARIABLE, log.toString());
        ProcessBuilder pb = new ProcessBuilder(command).directory(settings.workingDirectory().toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(env);
        messages.verbatim("cordon: suggest: running " + String.join(" ", command) + " (audit log " + log + ")");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            try (var err = p.getErrorStream()) {
                err.transferTo(settings.stderr());
            }
            int status = p.waitFor();
            messages.verbatim("cordon: suggest: cargo build exited with status " + status);
        } catch (IOException e) {
            throw new SandboxException("cannot run " + command.getFirst() + ": " + e.getMessage(),
                    ExitCodes.SANDBOX_FAILED, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while cargo build ran", ExitCodes.SANDBOX_FAILED, e);
        }
        return log;
    }
}
