package dev.cordon.sandbox.bwrap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.SyscallFilter;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The argv bwrap acts on: the command with {@code --args N} replaced by the options in that file. */
    static List<String> argv(ExecutionPlan plan) {
        List<String> command = plan.command();
        int args = command.indexOf("--args");
        if (args < 0) {
            return command;
        }
        int fd = Integer.parseInt(command.get(args + 1));
        Path file = plan.descriptors().stream().filter(d -> d.number() == fd)
                .map(d -> ((ExecutionPlan.ReadFile) d.source()).file()).findFirst().orElseThrow();
        byte[] content = plan.files().stream().filter(f -> f.path().equals(file)).findFirst().orElseThrow().content();
        List<String> options = new java.util.ArrayList<>(List.of(new String(content,
                java.nio.charset.StandardCharsets.UTF_8).split("\0", -1)));
        assertEquals("", options.removeLast(), "every option ends with NUL");
        List<String> expanded = new java.util.ArrayList<>(command.subList(0, args));
        expanded.addAll(options);
        expanded.addAll(command.subList(args + 2, command.size()));
        return expanded;
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
        List<String> command = argv(defaultPlan());
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
        assertTrue(argv(planner.plan(invocation, grant, Optional.empty())).contains("--as-pid-1"));
        assertFalse(argv(planner.plan(invocation, grant, filter)).contains("--as-pid-1"));
        Grant allowsPtrace = grant.toBuilder().syscalls(new dev.cordon.SyscallRules(dev.cordon.SyscallProfile.DEFAULT, java.util.Set.of(),
                java.util.Set.of("ptrace"), false)).build();
        assertTrue(argv(planner.plan(invocation, allowsPtrace, filter)).contains("--as-pid-1"));
    }

    @Test
    void plan_withoutDisableUsernsBefore0_8() {
        RunnerInvocation invocation = crate.invocation();
        ExecutionPlan plan = new BwrapPlanner(new BwrapInstallation(Path.of("/usr/bin/bwrap"), 0, 6))
                .plan(invocation, crate.grant(invocation), Optional.empty());
        assertFalse(argv(plan).contains("--disable-userns"));
    }

    @Test
    void plan_projectUnderTmpIsBoundBackAfterThePrivateTmp() {
        List<String> command = argv(defaultPlan());
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
        List<String> command = argv(defaultPlan());
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
        List<String> command = argv(plan);
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
        List<String> command = argv(plan(invocation, grant));
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
        List<String> command = argv(plan(invocation, grant));
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
        List<String> command = argv(plan(invocation, grant));
        assertTrue(indexOf(command, "--tmpfs", inside) > indexOf(command, "--bind", shared), command::toString);
    }

    @Test
    void plan_secretsInHomeAreCoveredOnlyWhereTheSandboxCanSeeThem() {
        // $HOME is an empty tmpfs, so ~/.ssh is already gone: no mount is needed for it.
        List<String> command = argv(defaultPlan());
        assertFalse(command.contains(crate.home.resolve(".ssh").toString()), command::toString);
    }

    @Test
    void plan_sharesNetworkOnlyForAll() {
        RunnerInvocation invocation = crate.invocation();
        Grant none = crate.grant(invocation);
        assertFalse(argv(plan(invocation, none)).contains("--share-net"));
        Grant all = none.toBuilder().network(NetworkAccess.all()).build();
        assertTrue(argv(plan(invocation, all)).contains("--share-net"));
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
        List<String> command = argv(plan);
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
        Path file = plan.files().get(0).path();
        Path args = plan.files().get(1).path();
        assertEquals(List.of(ExecutionPlan.Descriptor.inherited(3), ExecutionPlan.Descriptor.inherited(4),
                ExecutionPlan.Descriptor.readFile(5, file), ExecutionPlan.Descriptor.readFile(6, args)),
                plan.descriptors());
        List<String> command = argv(plan);
        int seccomp = command.indexOf("--seccomp");
        assertEquals("5", command.get(seccomp + 1));
        assertTrue(seccomp < command.indexOf("--"));
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
        assertTrue(indexOf(argv(plan), "--ro-bind", fifo) > 0, argv(plan)::toString);
        assertEquals(1, plan.descriptors().size(), "only the bwrap options: " + plan.descriptors());
    }

    @Test
    void plan_notesWritablePathsThatDoNotExist() {
        RunnerInvocation invocation = crate.invocation();
        Path missing = crate.packageDir.resolve("db.sqlite");
        ExecutionPlan plan = plan(invocation, crate.grant(invocation).toBuilder().writable(missing).build());
        assertTrue(plan.notes().stream().anyMatch(n -> n.contains(missing.toString())), plan.notes()::toString);
    }

    /**
     * Issue 12, item 6: no value of the script's environment, and no option, appears in bwrap's argv (every
     * local user can read {@code /proc/<pid>/cmdline}); the options file lies in a directory only the runner's
     * user may enter, which the sandbox hides.
     */
    @Test
    void plan_keepsEveryEnvironmentValueOffTheCommandLine() throws Exception {
        Map<String, String> env = new HashMap<>(crate.environment());
        env.put("DATABASE_URL", "postgres://app:hunter2-" + crate.nonce + "@db/app");
        RunnerInvocation invocation = new RunnerInvocation(RunnerInvocation.Kind.BUILD_SCRIPT, crate.program,
                List.of(), crate.packageDir, env);
        Grant grant = crate.grant(invocation).toBuilder().environment(Map.of("DATABASE_URL", env.get("DATABASE_URL")))
                .build();
        ExecutionPlan plan = plan(invocation, grant);
        // All but the last argument, the build script's path (which Cargo put on our own command line).
        String argv = String.join(" ", plan.command().subList(0, plan.command().size() - 1));
        for (String value : grant.environment().values()) {
            assertFalse(argv.contains(value), "value " + value + " on the command line: " + argv);
        }
        assertEquals(List.of("/usr/bin/bwrap", "--args", "3", "--", crate.program.toString()), plan.command());
        assertTrue(argv(plan).contains(env.get("DATABASE_URL")), "bwrap still sets it, from the file");
        Path args = plan.files().getLast().path();
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(args.getParent())));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(args.getParent().getParent())));
        assertTrue(indexOf(argv(plan), "--tmpfs", crate.targetDir.resolve(BwrapPlanner.PLANS_DIRECTORY)) > 0,
                "the plans are hidden from the sandbox");
        assertFalse(plan.describe().contains("hunter2"), plan.describe());
    }

    /** Issue 12, item 2: a root runner's script runs as the sandbox user, from a privileged setpriv. */
    @Test
    void plan_rootRunnerDropsToTheSandboxUserAndHandsOverTheWritablePaths() {
        SandboxUser user = new SandboxUser(Path.of("/usr/bin/setpriv"), Path.of("/bin/bash"));
        RunnerInvocation invocation = crate.invocation();
        Grant grant = crate.grant(invocation);
        ExecutionPlan plan = new BwrapPlanner(BWRAP_0_8, Optional.of(user)).plan(invocation, grant, Optional.empty());
        List<String> argv = argv(plan);
        assertFalse(argv.contains("--unshare-user") || argv.contains("--unshare-all"), argv::toString);
        assertTrue(argv.containsAll(List.of("--unshare-pid", "--unshare-net", "--unshare-ipc")), argv::toString);
        int drop = argv.indexOf("/usr/bin/setpriv");
        assertEquals(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--", "/bin/bash", "-c"), argv.subList(drop, drop + 10));
        assertEquals(crate.program.toString(), argv.getLast());
        assertTrue(indexOf(argv, "--ro-bind", Path.of("/proc/sys")) > argv.indexOf("--proc"), argv::toString);
        // bwrap would make the mount points' parents under the private /tmp mode 0700: they are made first, open.
        int open = indexOf(argv, "--dir", crate.root);
        assertEquals(List.of("--perms", "0755"), argv.subList(open - 2, open), argv::toString);
        assertTrue(open < indexOf(argv, "--ro-bind", crate.packageDir), argv::toString);
        assertEquals(new ExecutionPlan.Handover(List.of(grant.temporaryDirectory(), crate.outDir).stream()
                .sorted(java.util.Comparator.comparingInt(Path::getNameCount).thenComparing(Path::toString)).toList(),
                65534, 65534), plan.handover());
        // The loader variables travel past setpriv under other names.
        int setenv = argv.indexOf("TMPDIR");
        assertEquals(-1, setenv, "TMPDIR reaches setpriv under its own name: " + argv);
        assertTrue(argv.contains(SandboxUser.WITHHELD_PREFIX + "TMPDIR"), argv::toString);
    }

    /**
     * A proc-macro rustc call as root: its shared {@code deps} and incremental directories go to the sandbox
     * user for good, the directories only, and only when the run starts: planning (and so {@code explain})
     * changes no owner.
     */
    @Test
    void plan_rootMacroCallHandsTheSharedDirectoriesOverAtRunTimeNotWhilePlanning() throws java.io.IOException {
        Path deps = Files.createDirectories(crate.targetDir.resolve("debug/deps"));
        Path incremental = Files.createDirectories(crate.targetDir.resolve("debug/incremental"));
        Map<String, String> env = crate.environment();
        env.remove("OUT_DIR");
        RunnerInvocation call = new RunnerInvocation(RunnerInvocation.Kind.MACRO, Path.of("/usr/bin/rustc"),
                List.of("--crate-name", "hostile", "--edition=2021", "src/lib.rs", "--crate-type", "lib",
                        "--emit=dep-info,metadata,link", "-C", "extra-filename=-0123", "--out-dir", deps.toString(),
                        "-C", "incremental=" + incremental, "-L", "dependency=" + deps),
                crate.packageDir, env, List.of("serde_derive"));
        int depsOwner = (Integer) Files.getAttribute(deps, "unix:uid");
        SandboxUser user = new SandboxUser(Path.of("/usr/bin/setpriv"), Path.of("/bin/bash"));
        ExecutionPlan plan = new BwrapPlanner(BWRAP_0_8, Optional.of(user)).plan(call, crate.grant(call),
                Optional.empty());
        assertEquals(ExecutionPlan.Handover.Scope.SHARED_DIRECTORIES, plan.handover().scope());
        assertEquals(65534, plan.handover().uid());
        assertTrue(plan.handover().paths().containsAll(List.of(deps, incremental)), plan.handover()::toString);
        assertEquals(depsOwner, Files.getAttribute(deps, "unix:uid"), "planning gave deps/ away");
        assertTrue(plan.describe().contains("for good, the directories only"), plan.describe());
    }

    /** The switch by Cordon's own static program: one exec, bound read-only under the sandbox's private /run. */
    @Test
    void plan_rootRunnerSwitchesWithCordonNetjailDropWhenTheBuildHasIt() {
        SandboxUser user = SandboxUser.withHelper(Path.of("/opt/cordon/cordon-netjail"));
        RunnerInvocation invocation = crate.invocation();
        Grant grant = crate.grant(invocation).toBuilder().environment("PWD", "/somewhere")
                .environment("LD_LIBRARY_PATH", "/deps").build();
        ExecutionPlan plan = new BwrapPlanner(BWRAP_0_8, Optional.of(user)).plan(invocation, grant, Optional.empty());
        List<String> argv = argv(plan);
        int drop = argv.lastIndexOf(dev.cordon.internal.net.RouteLayout.SANDBOX_HELPER);
        assertEquals(List.of(dev.cordon.internal.net.RouteLayout.SANDBOX_HELPER, "drop", "65534", "65534", "--",
                crate.program.toString()), argv.subList(drop, argv.size()), argv::toString);
        int bind = indexOf(argv, "--ro-bind", Path.of("/opt/cordon/cordon-netjail"));
        assertEquals(dev.cordon.internal.net.RouteLayout.SANDBOX_HELPER, argv.get(bind + 2));
        assertTrue(bind < argv.lastIndexOf("--remount-ro"), "bound before /run is made read-only: " + argv);
        assertFalse(argv.contains("/usr/bin/setpriv") || argv.contains("/bin/bash"), argv::toString);
        for (String name : List.of("PWD", "LD_LIBRARY_PATH", "TMPDIR")) {
            assertEquals(-1, argv.indexOf(name), name + " reaches the privileged process under its own name");
            assertTrue(argv.contains(SandboxUser.WITHHELD_PREFIX + name), name + ": " + argv);
        }
    }

    @Test
    void plan_rootRunnerWillNotHandASystemDirectoryToTheSandboxUser() {
        SandboxUser user = new SandboxUser(Path.of("/usr/bin/setpriv"), Path.of("/bin/bash"));
        RunnerInvocation invocation = crate.invocation();
        for (Path system : List.of(Path.of("/etc"), Path.of("/usr/local"), Path.of("/"), Path.of("/var"))) {
            Grant grant = crate.grant(invocation).toBuilder().writable(system).build();
            SandboxException e = assertThrows(SandboxException.class,
                    () -> new BwrapPlanner(BWRAP_0_8, Optional.of(user)).plan(invocation, grant, Optional.empty()));
            assertTrue(e.getMessage().contains("may write " + system) && e.getMessage().contains("run cargo as an "
                    + "ordinary user"), e.getMessage());
        }
    }
}
