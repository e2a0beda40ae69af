package dev.cordon.sandbox.bwrap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.Policies;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bwrap plan of a binary, test or bench that {@code cargo run/test} starts through {@code [target] runner}
 * (checked argument by argument, nothing is run): its arguments untouched, its own working directory, and of
 * the target dir only the scratch folder writable, never {@code OUT_DIR}.
 */
class RunPlanTest {

    private static final BwrapInstallation BWRAP_0_8 = new BwrapInstallation(Path.of("/usr/bin/bwrap"), 0, 8);

    @TempDir
    Path root;
    FakeCrate crate;
    Path testBinary;

    @BeforeEach
    void layOut() throws Exception {
        crate = new FakeCrate(root);
        Files.writeString(crate.targetDir.resolve("CACHEDIR.TAG"), "Signature: 8a477f597d28d172789f06886806bc55\n");
        Files.createDirectories(crate.targetDir.resolve("tmp"));
        testBinary = Files.createDirectories(crate.targetDir.resolve("debug/deps")).resolve("hostile-0123456789abcdef");
        Files.writeString(testBinary, "");
    }

    private RunnerInvocation run(Path workingDirectory, String... arguments) {
        Map<String, String> env = new TreeMap<>(crate.environment());
        env.remove("TARGET");
        env.remove("HOST");
        return new RunnerInvocation(RunnerInvocation.Kind.RUN, testBinary, List.of(arguments), workingDirectory, env);
    }

    private static List<String> bound(List<String> command, String option) {
        List<String> paths = new java.util.ArrayList<>();
        for (int i = 0; i + 2 < command.size(); i++) {
            if (command.get(i).equals(option)) {
                paths.add(command.get(i + 1));
            }
        }
        return paths;
    }

    @Test
    void plan_runWritesOnlyTheScratchFolderAndItsTemporaryDirectory() {
        RunnerInvocation invocation = run(crate.packageDir, "--nocapture", "a filter");
        Grant grant = Policies.defaults().decide(invocation);
        ExecutionPlan plan = new BwrapPlanner(BWRAP_0_8).plan(invocation, grant, Optional.empty());
        List<String> command = BwrapPlannerTest.argv(plan);
        assertEquals(List.of(crate.targetDir.resolve("tmp").toString(), grant.temporaryDirectory().toString()),
                bound(command, "--bind"));
        assertTrue(bound(command, "--ro-bind").stream().noneMatch(p -> p.startsWith(crate.outDir.toString())),
                "OUT_DIR is mounted: " + command);
        assertEquals(List.of("--", testBinary.toString(), "--nocapture", "a filter"),
                command.subList(command.size() - 4, command.size()));
        assertTrue(!command.contains("--share-net"), "a run gets no network by default");
    }

    @Test
    void plan_runStartsInCargosWorkingDirectoryWhichStaysVisible() throws Exception {
        Path caller = Files.createDirectories(root.resolve("project/sub"));
        RunnerInvocation invocation = run(caller);
        ExecutionPlan plan = new BwrapPlanner(BWRAP_0_8).plan(invocation, Policies.defaults().decide(invocation),
                Optional.empty());
        assertEquals(caller.toRealPath(), plan.workingDirectory().toRealPath());
        int chdir = BwrapPlannerTest.argv(plan).indexOf("--chdir");
        assertEquals(caller.toString(), BwrapPlannerTest.argv(plan).get(chdir + 1));
        // The project lives under /tmp here, which the sandbox replaces: the caller's directory is put back.
        Path real = caller.toRealPath();
        assertTrue(bound(BwrapPlannerTest.argv(plan), "--ro-bind").stream().anyMatch(p -> !p.equals("/") && real.startsWith(p)),
                BwrapPlannerTest.argv(plan).toString());
    }
}
