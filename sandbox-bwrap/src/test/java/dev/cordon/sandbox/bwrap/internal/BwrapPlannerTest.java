package dev.cordon.sandbox.bwrap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.SyscallFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bwrap command line, checked argument by argument; nothing is run. */
class BwrapPlannerTest {

    private static final BwrapInstallation BWRAP_0_8 = new BwrapInstallation(Path.of("/usr/bin/bwrap"), 0, 8);

    @TempDir
    Path root;
    FakeCrate crate;

    @BeforeEach
    void layOut() throws Exception {
        crate = new FakeCrate(root);
    }

    private ExecutionPlan plan(RunnerInvocation invocation, Grant grant) {
        return new BwrapPlanner(BWRAP_0_8).plan(invocation, grant, Optional.empty());
    }

    private ExecutionPlan defaultPlan() {
        RunnerInvocation invocation = crate.invocation();
        return plan(invocation, crate.grant(invocation));
    }

    /** Index of the option {@code option} whose next argument is {@code path}. */
    private static int indexOf(List<String> command, String option, Path path) {
        for (int i = 0; i + 1 < command.size(); i++) {
            if (command.get(i).equals(option) && command.get(i + 1).equals(path.toString())) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void plan_startsWithNamespacesAndReadOnlyRootAndEndsWithTheProgram() {
        List<String> command = defaultPlan().command();
        assertEquals(List.of("/usr/bin/bwrap", "--unshare-all", "--unshare-user", "--die-with-parent",
                "--new-session", "--cap-drop", "ALL", "--as-pid-1", "--disable-userns", "--ro-bind", "/", "/",
                "--dev", "/dev", "--proc", "/proc"), command.subList(0, 16));
        assertEquals(List.of("--", crate.program.toString()), command.subList(command.size() - 2, command.size()));
        assertEquals(crate.packageDir, defaultPlan().workingDirectory());
        assertTrue(indexOf(command, "--chdir", crate.packageDir) > 0);
    }

    @Test
    void plan_scriptIsPidOneUnlessTheFilterRefusesPtrace() {
        RunnerInvocation invocation = crate.invocation();
        Grant grant = crate.grant(invocation);
        Optional<SyscallFilter> filter = Optional.of(new SyscallFilter("test", new byte[8]));
        BwrapPlanner planner = new BwrapPlanner(BWRAP_0_8);
        assertTrue(planner.plan(invocation, grant, Optional.empty()).command().contains("--as-pid-1"));
        assertFalse(planner.plan(invocation, grant, filter).command().contains("--as-pid-1"));
        Grant allowsPtrace = grant.toBuilder().syscalls(new dev.cordon.SyscallRules("default", java.util.Set.of(),
                java.util.Set.of("ptrace"), false)).build();
        assertTrue(planner.plan(invocation, allowsPtrace, filter).command().contains("--as-pid-1"));
    }

    @Test
    void plan_withoutDisableUsernsBefore0_8() {
        RunnerInvocation invocation = crate.invocation();
        ExecutionPlan plan = new BwrapPlanner(new BwrapInstallation(Path.of("/usr/bin/bwrap"), 0, 6))
                .plan(invocation, crate.grant(invocation), Optional.empty());
        assertFalse(plan.command().contains("--disable-userns"));
    }

    @Test
    void plan_projectUnderTmpIsBoundBackAfterThePrivateTmp() {
        List<String> command = defaultPlan().command();
        int tmp = indexOf(command, "--tmpfs", Path.of("/tmp"));
        int home = indexOf(command, "--tmpfs", crate.home);
        int project = indexOf(command, "--ro-bind", crate.packageDir);
        int target = indexOf(command, "--ro-bind", crate.targetDir);
        int script = indexOf(command, "--ro-bind", crate.program.getParent());
        int outDir = indexOf(command, "--bind", crate.outDir);
        assertTrue(crate.packageDir.startsWith("/tmp"), "the fixture must live under /tmp");
        assertTrue(tmp >= 0 && home > tmp, command::toString);
        assertTrue(project > home && target > project && script > target, command::toString);
        assertTrue(outDir > script, "OUT_DIR (writable) must come after the read-only target dir: " + command);
        assertTrue(indexOf(command, "--bind", crate.grant(crate.invocation()).temporaryDirectory()) > target);
        assertTrue(indexOf(command, "--tmpfs", Path.of("/run")) >= 0);
        assertTrue(indexOf(command, "--tmpfs", Path.of("/var/tmp")) >= 0);
    }

    @Test
    void plan_putsToolchainBackButNeverCargoHomeItself() {
        List<String> command = defaultPlan().command();
        Path cargoHome = crate.home.resolve(".cargo");
        assertTrue(indexOf(command, "--ro-bind", cargoHome.resolve("registry")) > 0, command::toString);
        assertEquals(-1, indexOf(command, "--ro-bind", cargoHome), command::toString);
        assertFalse(String.join(" ", command).contains("credentials"), command::toString);
    }

    @Test
    void plan_bwrapGetsOnlyPathAndTheScriptExactlyTheGrantEnvironment() {
        RunnerInvocation invocation = crate.invocation();
        Grant grant = crate.grant(invocation);
        ExecutionPlan plan = plan(invocation, grant);
        assertEquals(Map.of("PATH", "/usr/bin:/bin"), plan.environment());
        List<String> command = plan.command();
        int clear = command.indexOf("--clearenv");
        assertTrue(clear > 0);
        Map<String, String> set = new HashMap<>();
        for (int i = clear; i < command.size(); i++) {
            if (command.get(i).equals("--setenv")) {
                set.put(command.get(i + 1), command.get(i + 2));
            }
        }
        assertEquals(grant.environment(), set);
        assertEquals(grant.temporaryDirectory().toString(), set.get("TMPDIR"));
        assertFalse(String.join(" ", command).contains(crate.awsSecret), "the runner's secret reached the command");
    }

    @Test
    void plan_setsTmpdirWhenTheGrantHasNone() {
        RunnerInvocation invocation = crate.invocation();
        Grant grant = Grant.builder("hostile", root.resolve("tmp")).build();
        List<String> command = plan(invocation, grant).command();
        int i = command.indexOf("TMPDIR");
        assertEquals(root.resolve("tmp").toString(), command.get(i + 1));
        assertTrue(Files.isDirectory(root.resolve("tmp")), "the temporary directory is created for bwrap to bind");
    }

    @Test
    void plan_hidesDirectoriesWithTmpfsAndFilesWithDevNullAndSkipsMissingOnes() throws Exception {
        Path dir = Files.createDirectories(crate.packageDir.resolve("secrets"));
        Path file = Files.writeString(crate.packageDir.resolve(".env"), "TOKEN=1");
        Path missing = crate.packageDir.resolve("not-there");
        RunnerInvocation invocation = crate.invocation();
        Grant grant = crate.grant(invocation).toBuilder().hidden(dir).hidden(file).hidden(missing).build();
        List<String> command = plan(invocation, grant).command();
        int hideDir = indexOf(command, "--tmpfs", dir);
        int hideFile = command.indexOf(file.toString()) - 2;
        assertTrue(hideDir > indexOf(command, "--ro-bind", crate.packageDir), command::toString);
        assertEquals(List.of("--ro-bind", "/dev/null", file.toString()), command.subList(hideFile, hideFile + 3));
        assertFalse(command.contains(missing.toString()));
    }

    @Test
    void plan_hidingBeatsWritable() throws Exception {
        Path shared = Files.createDirectories(crate.packageDir.resolve("shared"));
        Path inside = Files.createDirectories(shared.resolve("keys"));
        RunnerInvocation invocation = crate.invocation();
        Grant grant = crate.grant(invocation).toBuilder().writable(shared).hidden(inside).build();
        List<String> command = plan(invocation, grant).command();
        assertTrue(indexOf(command, "--tmpfs", inside) > indexOf(command, "--bind", shared), command::toString);
    }

    @Test
    void plan_secretsInHomeAreCoveredOnlyWhereTheSandboxCanSeeThem() {
        // $HOME is an empty tmpfs, so ~/.ssh is already gone: no mount is needed for it.
        List<String> command = defaultPlan().command();
        assertFalse(command.contains(crate.home.resolve(".ssh").toString()), command::toString);
    }

    @Test
    void plan_sharesNetworkOnlyForAll() {
        RunnerInvocation invocation = crate.invocation();
        Grant none = crate.grant(invocation);
        assertFalse(plan(invocation, none).command().contains("--share-net"));
        Grant all = none.toBuilder().network(NetworkAccess.all()).build();
        assertTrue(plan(invocation, all).command().contains("--share-net"));
    }

    @Test
    void plan_routesKeepTheEmptyNetworkNamespaceAndStartTheScriptUnderTheRouteJail() {
        Map<String, String> env = new HashMap<>(crate.environment());
        env.put("CARGO_MAKEFLAGS", "-j --jobserver-fds=3,4 --jobserver-auth=3,4");
        RunnerInvocation invocation = new RunnerInvocation(RunnerInvocation.Kind.BUILD_SCRIPT, crate.program,
                List.of(), crate.packageDir, env);
        Grant routes = crate.grant(invocation).toBuilder()
                .network(NetworkAccess.routes(List.of(Route.parse("127.0.0.1:5432").orElseThrow()))).build();
        ExecutionPlan plan = new BwrapPlanner(BWRAP_0_8).plan(invocation, routes,
                Optional.of(new SyscallFilter("test", new byte[8])));
        List<String> command = plan.command();
        assertTrue(command.contains("--unshare-all"), command::toString);
        assertFalse(command.contains("--share-net"), "the sandbox keeps its own, empty network namespace");
        int hosts = command.indexOf("/etc/hosts");
        assertEquals(dev.cordon.internal.net.RouteLayout.hostsFile(routes).toString(), command.get(hosts - 1));
        assertEquals("--ro-bind", command.get(hosts - 2));
        int dashes = command.indexOf("--");
        assertEquals(List.of(dev.cordon.internal.net.RouteLayout.SANDBOX_HELPER, "install", "5", "--",
                crate.program.toString()), command.subList(dashes + 1, command.size()),
                "jobserver on 3 and 4, the supervisor connection on 5, the filter on 6");
        assertEquals("6", command.get(command.indexOf("--seccomp") + 1));
    }

    @Test
    void plan_passesJobserverPipesAndPutsTheFilterOnTheNextFreeDescriptor() {
        Map<String, String> env = new HashMap<>(crate.environment());
        env.put("CARGO_MAKEFLAGS", "-j --jobserver-fds=3,4 --jobserver-auth=3,4");
        RunnerInvocation invocation = new RunnerInvocation(RunnerInvocation.Kind.BUILD_SCRIPT, crate.program,
                List.of(), crate.packageDir, env);
        Grant grant = crate.grant(invocation);
        ExecutionPlan plan = new BwrapPlanner(BWRAP_0_8).plan(invocation, grant,
                Optional.of(new SyscallFilter("test", new byte[] {1, 2, 3, 4, 5, 6, 7, 8})));
        Path file = grant.temporaryDirectory().getParent().resolve(plan.files().get(0).path().getFileName());
        assertEquals(List.of(ExecutionPlan.Descriptor.inherited(3), ExecutionPlan.Descriptor.inherited(4),
                ExecutionPlan.Descriptor.readFile(5, file)), plan.descriptors());
        int seccomp = plan.command().indexOf("--seccomp");
        assertEquals("5", plan.command().get(seccomp + 1));
        assertTrue(seccomp < plan.command().indexOf("--"));
        assertFalse(file.startsWith(grant.temporaryDirectory()), "the filter must not sit where the script writes");
        assertTrue(grant.writable().stream().noneMatch(file::startsWith));
    }

    @Test
    void plan_bindsTheJobserverFifo() throws Exception {
        Path fifo = root.resolve("jobserver-fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Map<String, String> env = new HashMap<>(crate.environment());
        env.put("CARGO_MAKEFLAGS", "-j --jobserver-auth=fifo:" + fifo);
        RunnerInvocation invocation = new RunnerInvocation(RunnerInvocation.Kind.BUILD_SCRIPT, crate.program,
                List.of(), crate.packageDir, env);
        ExecutionPlan plan = plan(invocation, crate.grant(invocation));
        assertTrue(indexOf(plan.command(), "--ro-bind", fifo) > 0, plan.command()::toString);
        assertEquals(Collections.emptyList(), plan.descriptors());
    }

    @Test
    void plan_notesWritablePathsThatDoNotExist() {
        RunnerInvocation invocation = crate.invocation();
        Path missing = crate.packageDir.resolve("db.sqlite");
        ExecutionPlan plan = plan(invocation, crate.grant(invocation).toBuilder().writable(missing).build());
        assertTrue(plan.notes().stream().anyMatch(n -> n.contains(missing.toString())), plan.notes()::toString);
    }
}
