package dev.cordon.examples;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one {@code bin/cordon-runner} command ({@code check}, {@code explain}, {@code suggest}) as a user types
 * it in a shell: this checkout's classes ({@code CORDON_NO_AOT}), no daemon, Cargo on the path, and no
 * {@code CORDON_POLICY} unless the test sets one.
 */
final class RunnerCommand {
    private RunnerCommand() {
    }

    /**
     * @param status the exit status
     * @param stdout what it printed on stdout
     * @param stderr what it printed on stderr
     */
    record Result(int status, String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }
    }

    static Result run(Path directory, Map<String, String> env, String... args) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of(CargoProject.runnerLauncher().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(directory.toFile());
        Path cargo = RequiredTools.require("cargo");
        pb.environment().put("PATH", cargo.getParent() + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("CORDON_NO_AOT", "1");
        pb.environment().put("CORDON_NO_DAEMON", "1");
        pb.environment().put("CARGO_TERM_COLOR", "never");
        pb.environment().remove("RUSTC_BOOTSTRAP");
        pb.environment().remove("RUSTC_WRAPPER");
        pb.environment().remove("CORDON_POLICY");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("cordon-command", ".out");
        Path err = Files.createTempFile("cordon-command", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            int status = p.waitFor();
            return new Result(status, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
