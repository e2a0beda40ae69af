package dev.cordon.sandbox.bwrap.internal;

import dev.cordon.ExecutionPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a plan the way the runner's executor will: plan files written first, {@code bwrap} started with
 * exactly the plan's environment and working directory, stdin from {@code /dev/null}. Descriptors are set
 * up by a {@code /bin/sh} prefix ({@code exec N<file}); {@code shellSetup} may open inherited ones.
 *
 * @param status the exit status
 * @param stdout what the script printed
 * @param stderr what the script (or bwrap) printed on stderr
 */
record PlanRun(int status, String stdout, String stderr) {

    static PlanRun execute(ExecutionPlan plan) throws IOException, InterruptedException {
        return execute(plan, "");
    }

    static PlanRun execute(ExecutionPlan plan, String shellSetup) throws IOException, InterruptedException {
        for (ExecutionPlan.PlanFile f : plan.files()) {
            Files.createDirectories(f.path().getParent());
            Files.write(f.path(), f.content());
        }
        List<String> command = new ArrayList<>();
        StringBuilder redirects = new StringBuilder();
        for (ExecutionPlan.Descriptor d : plan.descriptors()) {
            if (d.source() instanceof ExecutionPlan.ReadFile r) {
                redirects.append("exec ").append(d.number()).append("<'").append(r.file()).append("'; ");
            }
        }
        if (!shellSetup.isEmpty() || !redirects.isEmpty()) {
            command.addAll(List.of("/bin/sh", "-c", shellSetup + "\n" + redirects + "exec \"$@\"", "sh"));
        }
        command.addAll(plan.command());
        ProcessBuilder pb = new ProcessBuilder(command).directory(plan.workingDirectory().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(plan.environment());
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("plan did not finish in 60 s:\n" + plan.describe());
        }
        try {
            return new PlanRun(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the plan exited but its output stayed open (a process survived it)", e);
        }
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static BwrapInstallation installation() {
        BwrapProbe.Result result = BwrapProbe.ofSystem().probe();
        if (result.installation().isEmpty()) {
            dev.cordon.testing.RequiredTools.missing("bwrap cannot sandbox here: " + result.availability().reason());
        }
        return result.installation().orElseThrow();
    }
}
