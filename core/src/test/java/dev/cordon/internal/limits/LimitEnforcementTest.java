package dev.cordon.internal.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How limits are planned with and without cgroups, and what explain says about each. */
class LimitEnforcementTest {
    private static final Cgroups NONE = new Cgroups(Optional.empty(), Optional.empty(), Optional.empty(),
            "no cgroup here");
    private static final ResourceLimits SMALL = new ResourceLimits(OptionalLong.of(64), OptionalLong.of(256L << 20),
            OptionalLong.of(512), OptionalLong.of(1L << 20));

    @Test
    void rlimits_goInsideTheSandboxRightBeforeTheScript() {
        LimitEnforcement e = new LimitEnforcement(NONE, Optional.of(Path.of("/usr/bin/prlimit")), false, 1024);
        try (LimitPlan plan = e.plan(SMALL)) {
            assertEquals(List.of(), plan.childSetup().cgroupProcs());
            assertEquals(OptionalLong.of(512), plan.childSetup().openFiles(), "set between fork and exec");
            assertEquals(List.of("/usr/bin/prlimit", "--nproc=64", "--data=268435456", "--"), plan.innerPrefix());
            ExecutionPlan bwrap = ExecutionPlan.builder("bwrap", Path.of("/src")).command("bwrap", "--die-with-parent",
                    "--", "/t/build-script-build").build();
            assertEquals(List.of("bwrap", "--die-with-parent", "--", "/usr/bin/prlimit", "--nproc=64", "--data=268435456",
                    "--", "/t/build-script-build"), plan.apply(bwrap, List.of("/t/build-script-build")).command());
        }
    }

    @Test
    void openFiles_neverAboveTheRunnersHardLimitForAnOrdinaryUser() {
        LimitEnforcement e = new LimitEnforcement(NONE, Optional.of(Path.of("/usr/bin/prlimit")), false, 256);
        try (LimitPlan plan = e.plan(SMALL)) {
            assertEquals(OptionalLong.of(256), plan.childSetup().openFiles());
        }
    }

    @Test
    void describe_saysWhatIsEnforcedAndWhatIsNot() {
        List<String> asUser = new LimitEnforcement(NONE, Optional.of(Path.of("/usr/bin/prlimit")), false, 4096)
                .describe(ResourceLimits.defaults());
        assertEquals("processes: 1024 (enforced by RLIMIT_NPROC inside the sandbox's user namespace (no cgroup here))",
                asUser.get(0));
        assertEquals("memory: 4GiB (enforced per process by RLIMIT_DATA (no cgroup here))", asUser.get(1));
        assertEquals("open files: 4096 (enforced per process by RLIMIT_NOFILE)", asUser.get(2));
        assertEquals("output: 64MiB (counted by the supervisor (stdout and stderr))", asUser.get(3));
        List<String> asRoot = new LimitEnforcement(NONE, Optional.of(Path.of("/usr/bin/prlimit")), true, 4096)
                .describe(ResourceLimits.defaults());
        assertTrue(asRoot.get(0).contains("NOT enforced: the runner runs as root"), asRoot.get(0));
        assertEquals("processes: unlimited", new LimitEnforcement(NONE, Optional.empty(), false, 4096)
                .describe(ResourceLimits.none()).get(0));
    }

    @Test
    void cgroupV1_createsOneGroupPerControllerJoinedBeforeTheSandboxAndRemovesThem(@TempDir Path dir)
            throws IOException {
        Path pids = Files.createDirectories(dir.resolve("pids"));
        Path memory = Files.createDirectories(dir.resolve("memory"));
        LimitEnforcement e = new LimitEnforcement(new Cgroups(Optional.empty(), Optional.of(pids), Optional.of(memory),
                ""), Optional.of(Path.of("/usr/bin/prlimit")), true, 4096);
        assertEquals("cgroup v1", e.mechanism());
        LimitPlan plan = e.plan(SMALL);
        Path group = Files.list(pids).findFirst().orElseThrow();
        assertEquals("64", Files.readString(group.resolve("pids.max")));
        Path mem = Files.list(memory).findFirst().orElseThrow();
        assertEquals("268435456", Files.readString(mem.resolve("memory.limit_in_bytes")));
        assertEquals(List.of(), plan.innerPrefix(), "no rlimit for what a cgroup limits");
        assertEquals(List.of(group.resolve("cgroup.procs"), mem.resolve("cgroup.procs")),
                plan.childSetup().cgroupProcs(), "joined between fork and exec, before the sandbox starts");
        assertEquals(OptionalLong.of(512), plan.childSetup().openFiles());
        Files.writeString(group.resolve("pids.events"), "max 3\n");
        assertTrue(plan.exceeded("bomb").orElseThrow().contains("reached its limit of 64 processes"));
        Files.writeString(mem.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        assertTrue(plan.exceeded("bomb").orElseThrow().contains("ran out of its 256MiB memory limit"));
        for (Path g : List.of(group, mem)) { // a fake group is a plain directory: empty it so close() can remove it
            try (var files = Files.list(g)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
        plan.close();
        assertEquals(0, Files.list(pids).count());
        assertEquals(0, Files.list(memory).count());
    }

    /**
     * The reason the rlimits go inside the sandbox: RLIMIT_NPROC counts one user's tasks per user namespace.
     * Run as an ordinary user (65534) that already has 30 processes, a sandbox with processes = 20 may still
     * start 10, but not 40; the same limit set outside the sandbox's namespace would count all 30.
     */
    @Test
    void rlimits_insideTheSandboxCountOnlyItsOwnTasksForAnOrdinaryUser() throws Exception {
        Path bwrap = dev.cordon.testing.RequiredTools.require("bwrap");
        Path setpriv = dev.cordon.testing.RequiredTools.require("setpriv");
        LimitEnforcement e = new LimitEnforcement(NONE, Optional.of(Path.of("/usr/bin/prlimit")), false, 1024);
        List<String> inner;
        try (LimitPlan plan = e.plan(new ResourceLimits(OptionalLong.of(20), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty()))) {
            inner = plan.innerPrefix();
        }
        String sandbox = bwrap + " --unshare-user --unshare-pid --die-with-parent --ro-bind / / --dev /dev --proc /proc -- "
                + String.join(" ", inner) + " /bin/sh -c";
        String script = "for i in $(seq 30); do sleep 4 & done; sleep 0.3; "
                + sandbox + " 'for i in $(seq 10); do sleep 1 & done; wait; echo ten-started'; "
                + sandbox + " 'for i in $(seq 40); do sleep 1 & done; wait; echo forty-started'; "
                + "kill $(jobs -p) 2>/dev/null; wait";
        Process p = new ProcessBuilder(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                "/bin/sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(out.contains("ten-started"), out);
        assertTrue(out.contains("Cannot fork") || out.contains("Resource temporarily unavailable"), out);
    }

    @Test
    void probe_readsThisMachine() {
        LimitEnforcement e = LimitEnforcement.probe();
        assertTrue(List.of("cgroup v2", "cgroup v1", "rlimits").contains(e.mechanism()));
        assertEquals(4, e.describe(ResourceLimits.defaults()).size());
    }
}
