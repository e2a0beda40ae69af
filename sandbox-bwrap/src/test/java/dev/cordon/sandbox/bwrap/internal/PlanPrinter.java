package dev.cordon.sandbox.bwrap.internal;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A test-only host runner, half of it: computes the bwrap plan for the build script Cargo asked to run
 * (default policy, no syscall filter) and prints its argv NUL-separated, for {@link CargoRunnerScript}'s
 * shell script to {@code exec}. Exec keeps Cargo's jobserver descriptors, which is what the real runner's
 * executor does too.
 */
public final class PlanPrinter {
    private PlanPrinter() {
    }

    /**
     * @param args the build-script program and its arguments, as Cargo passes them to a host runner
     * @throws IOException when stdout fails
     */
    public static void main(String[] args) throws IOException {
        RunnerInvocation invocation = new RunnerInvocation(RunnerInvocation.Kind.BUILD_SCRIPT, Path.of(args[0]),
                Arrays.asList(args).subList(1, args.length), Path.of("").toAbsolutePath(), System.getenv());
        Grant grant = Policies.defaults().decide(invocation);
        BwrapInstallation bwrap = BwrapProbe.ofSystem().probe().installation()
                .orElseThrow(() -> new IllegalStateException("bwrap is not available"));
        ExecutionPlan plan = new BwrapPlanner(bwrap).plan(invocation, grant, Optional.empty());
        if (plan.handover().changesOwner()) {
            throw new IllegalStateException("this test runner cannot hand paths over: " + plan.describe());
        }
        // The plan's files, opened on their descriptors by a bash prelude, as the runner's executor does.
        StringBuilder prelude = new StringBuilder();
        for (ExecutionPlan.PlanFile f : plan.files()) {
            java.nio.file.Files.createDirectories(f.path().getParent());
            java.nio.file.Files.write(f.path(), f.content());
        }
        for (ExecutionPlan.Descriptor d : plan.descriptors()) {
            if (d.source() instanceof ExecutionPlan.Inherited) {
                continue; // exec keeps Cargo's jobserver descriptors at their numbers
            }
            prelude.append("exec ").append(d.number()).append("<'")
                    .append(((ExecutionPlan.ReadFile) d.source()).file()).append("'; ");
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        List<String> command = new java.util.ArrayList<>(List.of("/bin/bash", "-c", prelude + "exec \"$@\"", "launch"));
        command.addAll(plan.command());
        for (String arg : command) {
            out.print(arg);
            out.print('\0');
        }
        out.flush();
    }
}
