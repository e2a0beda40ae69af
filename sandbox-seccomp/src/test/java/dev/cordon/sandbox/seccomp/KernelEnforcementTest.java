package dev.cordon.sandbox.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.NetworkAccess;
import dev.cordon.SyscallFilter;
import dev.cordon.SyscallProfile;
import dev.cordon.SyscallRules;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filters installed by the real kernel: a C probe (compiled here with gcc) makes one call per probe
 * name under {@code bwrap --seccomp 10}, and the errno it sees is compared with the policy. Each probe
 * also runs under bwrap without the filter, to show the filter, not the namespaces, made the
 * difference; the table is written to {@code target/seccomp-probes.md}.
 */
class KernelEnforcementTest {
    private static final String EPERM = "1";
    private static final String ESRCH = "3";
    private static final String ENOSYS = "38";
    private static final String EAFNOSUPPORT = "97";
    private static final String OK = "0";
    private static final boolean X86_64 = Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));

    @TempDir
    static Path work;
    private static Path probe;

    private final SeccompFilterCompiler compiler = new SeccompFilterCompiler();

    @BeforeAll
    static void compileProbe() throws Exception {
        RequiredTools.require("bwrap");
        Path gcc = RequiredTools.require("gcc");
        Path source = work.resolve("probe.c");
        try (InputStream in = KernelEnforcementTest.class.getResourceAsStream("probe.c")) {
            Files.copy(in, source);
        }
        probe = work.resolve("probe");
        Result result = exec(List.of(gcc.toString(), "-O1", "-Wall", "-o", probe.toString(), source.toString()),
                Map.of());
        assertEquals(0, result.status(), "gcc failed: " + result.stderr());
    }

    @Test
    void defaultProfileWithoutNetwork_refusesDangerousCallsWithErrnoAndAllowsTheRest() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("keyctl", EPERM);
        expected.put("add_key", EPERM);
        expected.put("bpf", EPERM);
        expected.put("perf_event_open", EPERM);
        expected.put("userfaultfd", EPERM);
        expected.put("ptrace", EPERM);
        expected.put("process_vm_readv", EPERM);
        expected.put("mount", EPERM);
        expected.put("umount2", EPERM);
        expected.put("chroot", EPERM);
        expected.put("setns", EPERM);
        expected.put("reboot", EPERM);
        expected.put("init_module", EPERM);
        expected.put("unshare_newuser", EPERM);
        expected.put("unshare_newnet", EPERM);
        expected.put("unshare_files", OK);
        expected.put("clone_newuser", EPERM);
        expected.put("clone_plain", OK);
        expected.put("clone3", ENOSYS);
        expected.put("fork_exec_true", OK);
        expected.put("socket_inet", EAFNOSUPPORT);
        expected.put("socket_inet6", EAFNOSUPPORT);
        expected.put("socket_packet", EAFNOSUPPORT);
        expected.put("socket_vsock", EAFNOSUPPORT);
        expected.put("socket_unix", OK);
        expected.put("socket_netlink", OK);
        expected.put("ioctl_tiocsti", EPERM);
        expected.put("ioctl_tioclinux", EPERM);
        expected.put("ioctl_tiocgwinsz", OK);
        expected.put("personality_query", OK);
        expected.put("personality_linux", OK);
        expected.put("personality_read_implies_exec", EPERM);
        expected.put("personality_high_junk", EPERM);
        expected.put("io_uring_setup", ENOSYS);
        expected.put("open_read_write", OK);
        // Issue 12, item 3: no setuid or setgid file can be made, by any call whose mode the filter sees.
        expected.put("chmod_setuid", EPERM);
        expected.put("chmod_setgid", EPERM);
        expected.put("chmod_plain", OK);
        expected.put("fchmod_setuid", EPERM);
        expected.put("fchmodat_setuid", EPERM);
        expected.put("fchmodat2_setgid", EPERM);
        expected.put("open_creat_setuid", EPERM);
        expected.put("openat_creat_setgid", EPERM);
        expected.put("open_creat_plain", OK);
        expected.put("creat_setuid", EPERM);
        expected.put("mknodat_setuid", EPERM);
        expected.put("openat2", ENOSYS);
        expected.put("getpid", OK);
        expected.put("getppid", OK);
        if (X86_64) {
            expected.put("x32_getpid", ENOSYS);
            expected.put("int80_getpid", "signal 31");
        }
        SyscallFilter filter = compiler.compile(SyscallRules.defaults(), NetworkAccess.none());

        Map<String, String> observed = run(Optional.of(filter), expected.keySet());
        Map<String, String> baseline = run(Optional.empty(), expected.keySet());
        writeTable(filter, expected, observed, baseline);

        if (X86_64 && !baseline.get("int80_getpid").equals(OK)) {
            // No IA-32 emulation in this kernel: int 0x80 fails before seccomp can see it.
            expected.remove("int80_getpid");
            observed.remove("int80_getpid");
        }
        assertEquals(expected, observed);
    }

    @Test
    void defaultProfileWithNetwork_allowsInternetSockets() throws Exception {
        SyscallFilter filter = compiler.compile(SyscallRules.defaults(), NetworkAccess.all());

        Map<String, String> observed = run(Optional.of(filter), List.of("socket_inet", "socket_inet6", "keyctl"));

        assertEquals(Map.of("socket_inet", OK, "socket_inet6", OK, "keyctl", EPERM), observed);
    }

    @Test
    void customRules_denyAddsACallAndAllowLiftsOneFromTheProfile() throws Exception {
        SyscallRules rules = new SyscallRules(SyscallProfile.of("default"), Set.of("getppid"), Set.of("ptrace"), false);
        SyscallFilter filter = compiler.compile(rules, NetworkAccess.none());

        Map<String, String> observed = run(Optional.of(filter), List.of("getppid", "ptrace", "keyctl", "getpid"));

        // ptrace is allowed again: the kernel itself answers ESRCH (we are not our own tracer).
        assertEquals(Map.of("getppid", EPERM, "ptrace", ESRCH, "keyctl", EPERM, "getpid", OK), observed);
    }

    @Test
    void denyBeatsAllow_forTheSameCall() throws Exception {
        SyscallRules rules = new SyscallRules(SyscallProfile.of("default"), Set.of("getppid"), Set.of("getppid"), false);
        SyscallFilter filter = compiler.compile(rules, NetworkAccess.none());

        assertEquals(Map.of("getppid", EPERM), run(Optional.of(filter), List.of("getppid")));
    }

    @Test
    void defaultProfileWithoutNetwork_letsBuildToolsWork() throws Exception {
        for (String tool : List.of("make", "perl", "pkg-config", "cc")) {
            RequiredTools.require(tool);
        }
        Path project = Files.createDirectories(work.resolve("tools"));
        Files.writeString(project.resolve("h.c"), "#include <stdio.h>\nint main(void){puts(\"cc ok\");return 0;}\n");
        Files.writeString(project.resolve("Makefile"), "all:\n\t@perl -e 'print qq(perl ok\\n)'\n"
                + "\t@pkg-config --version >/dev/null && echo pkg-config ok\n"
                + "\t@cc -O2 -o h h.c && ./h\n");
        Path filter = Files.write(work.resolve("tools.bpf"),
                compiler.compile(SyscallRules.defaults(), NetworkAccess.none()).program());

        Result result = exec(List.of("/bin/bash", "-c", "exec bwrap --ro-bind / / --dev /dev --proc /proc"
                + " --bind \"$DIR\" \"$DIR\" --chdir \"$DIR\" --unshare-all --die-with-parent"
                + " --seccomp 10 make -j2 10<\"$FILTER\""), Map.of("DIR", project.toString(), "FILTER", filter.toString()));

        assertEquals(0, result.status(), result.stderr());
        assertEquals("perl ok\npkg-config ok\ncc ok\n", result.stdout());
    }

    /**
     * Runs the probe under bwrap, with the filter on fd 10 when given. This is how a backend installs
     * a filter: {@code --seccomp 10} and the program bytes readable on fd 10. The shell is bash because
     * dash (Debian's /bin/sh) only redirects single-digit descriptors: there {@code 10<file} is the
     * word "10" and a redirect of stdin.
     */
    private static Map<String, String> run(Optional<SyscallFilter> filter, Iterable<String> probes)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/bash", "-c"));
        Map<String, String> env = new LinkedHashMap<>();
        String bwrap = "exec bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /var/tmp --unshare-all --die-with-parent";
        if (filter.isPresent()) {
            Path file = Files.createTempFile(work, "filter", ".bpf");
            Files.write(file, filter.get().program());
            env.put("FILTER", file.toString());
            command.add(bwrap + " --seccomp 10 \"$@\" 10<\"$FILTER\"");
        } else {
            command.add(bwrap + " \"$@\"");
        }
        command.add("bash");
        command.add(probe.toString());
        probes.forEach(command::add);
        Result result = exec(command, env);
        assertEquals(0, result.status(), "probe run failed: " + result.stderr());
        Map<String, String> observed = new LinkedHashMap<>();
        for (String line : result.stdout().split("\n")) {
            int space = line.indexOf(' ');
            observed.put(line.substring(0, space), line.substring(space + 1));
        }
        return observed;
    }

    private record Result(int status, String stdout, String stderr) {
    }

    private static Result exec(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
                Path.of("/dev/null").toFile()));
        builder.environment().putAll(env);
        Path err = Files.createTempFile(work, "stderr", ".txt");
        builder.redirectError(err.toFile());
        Process process = builder.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        return new Result(process.exitValue(), stdout, Files.readString(err));
    }

    private static void writeTable(SyscallFilter filter, Map<String, String> expected,
            Map<String, String> observed, Map<String, String> baseline) throws IOException {
        StringBuilder table = new StringBuilder("Filter: " + filter.description() + "\n\n"
                + "| probe | expected | observed (filter) | bwrap without filter |\n|---|---|---|---|\n");
        expected.forEach((name, value) -> table.append("| ").append(name).append(" | ").append(value)
                .append(" | ").append(observed.get(name)).append(" | ").append(baseline.get(name)).append(" |\n"));
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("seccomp-probes.md"), table);
        }
        System.out.print(table);
    }
}
