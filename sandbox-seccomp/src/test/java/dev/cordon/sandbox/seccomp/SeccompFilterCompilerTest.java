package dev.cordon.sandbox.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExitCodes;
import dev.cordon.NetworkAccess;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.SandboxException;
import dev.cordon.SyscallFilter;
import dev.cordon.SyscallProfile;
import dev.cordon.SyscallRules;
import dev.cordon.spi.Availability;
import dev.cordon.spi.SyscallFilterCompiler;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeccompFilterCompilerTest {
    private final SeccompFilterCompiler linuxAmd64 = new SeccompFilterCompiler("Linux", "amd64");

    @Test
    void compile_defaultWithoutNetwork_describesLayersArchAndSize() {
        SyscallFilter filter = linuxAmd64.compile(SyscallRules.defaults(), NetworkAccess.none());

        int instructions = filter.program().length / 8;
        assertEquals("default + no-network (x86_64, " + instructions + " instructions)", filter.description());
        assertTrue(instructions > 60 && instructions < 200, filter.description());
    }

    @Test
    void compile_denyAndAllow_appearInTheDescription() {
        SyscallRules rules = new SyscallRules(SyscallProfile.of("default"), Set.of("getppid"), Set.of("ptrace"), false);

        SyscallFilter filter = new SeccompFilterCompiler("Linux", "aarch64").compile(rules, NetworkAccess.all());

        assertTrue(filter.description().startsWith("default + deny [getppid] - allow [ptrace] (aarch64, "),
                filter.description());
    }

    @Test
    void compile_unknownSyscall_isAPolicyErrorWithASuggestion() {
        SyscallRules rules = new SyscallRules(SyscallProfile.of("default"), Set.of("getppidd"), Set.of(), false);

        PolicyException e = assertThrows(PolicyException.class,
                () -> linuxAmd64.compile(rules, NetworkAccess.none()));

        assertEquals(ExitCodes.INVALID_POLICY, e.exitCode());
        PolicyViolation violation = e.violations().getFirst();
        assertEquals("syscalls.deny", violation.keyPath());
        assertEquals("unknown syscall 'getppidd'", violation.message());
        assertEquals("did you mean 'getppid'?", violation.fix());
    }

    @Test
    void compile_everyUnknownName_isReportedOnce() {
        SyscallRules rules = new SyscallRules(SyscallProfile.of("defualt"), Set.of("nosuchcall_at_all"), Set.of("ptrac"), false);

        PolicyException e = assertThrows(PolicyException.class,
                () -> linuxAmd64.compile(rules, NetworkAccess.none()));

        assertEquals(List.of("syscalls.profile", "syscalls.deny", "syscalls.allow"),
                e.violations().stream().map(PolicyViolation::keyPath).toList());
        assertEquals("did you mean 'default'?", e.violations().get(0).fix());
        assertEquals("use a name from the Linux syscall tables, e.g. 'ptrace'", e.violations().get(1).fix());
        assertEquals("did you mean 'ptrace'?", e.violations().get(2).fix());
    }

    @Test
    void compile_nameOfAnotherArchitecture_isAcceptedAndSkipped() {
        SyscallRules rules = new SyscallRules(SyscallProfile.of("off"), Set.of("iopl"), Set.of(), false);

        SyscallFilter arm = new SeccompFilterCompiler("Linux", "aarch64").compile(rules, NetworkAccess.all());
        SyscallFilter off = new SeccompFilterCompiler("Linux", "aarch64").compile(SyscallRules.off(),
                NetworkAccess.all());

        assertEquals(off.program().length, arm.program().length);
    }

    @Test
    void compile_off_isStillAValidMinimalProgram() {
        SyscallFilter filter = linuxAmd64.compile(SyscallRules.off(), NetworkAccess.none());

        // load arch, check it, load nr, x32 check, return ALLOW, return ENOSYS (x32), return KILL
        assertEquals("off (x86_64, 7 instructions)", filter.description());
    }

    @Test
    void availability_linuxOnX86AndArm_isAvailable() {
        assertTrue(linuxAmd64.availability().isAvailable());
        assertTrue(new SeccompFilterCompiler("Linux", "x86_64").availability().isAvailable());
        assertTrue(new SeccompFilterCompiler("Linux", "aarch64").availability().isAvailable());
    }

    @Test
    void availability_otherArchitecture_saysWhich() {
        Availability availability = new SeccompFilterCompiler("Linux", "ppc64le").availability();

        assertFalse(availability.isAvailable());
        assertTrue(availability.reason().contains("'ppc64le'"), availability.reason());
    }

    @Test
    void compile_onMacOs_failsWithTheReason() {
        SeccompFilterCompiler mac = new SeccompFilterCompiler("Mac OS X", "aarch64");

        SandboxException e = assertThrows(SandboxException.class,
                () -> mac.compile(SyscallRules.defaults(), NetworkAccess.none()));

        assertEquals(ExitCodes.SANDBOX_UNAVAILABLE, e.exitCode());
        assertTrue(e.getMessage().contains("'Mac OS X'"), e.getMessage());
    }

    @Test
    void serviceLoader_findsTheCompilerById() {
        List<String> ids = ServiceLoader.load(SyscallFilterCompiler.class).stream()
                .map(provider -> provider.get().id()).toList();

        assertEquals(List.of("seccomp"), ids);
    }

    @Test
    void moduleDescriptor_exportsOnlyTheProviderPackageAndProvidesTheCompiler() throws Exception {
        var descriptor = java.lang.module.ModuleFinder.of(
                        java.nio.file.Path.of(SeccompFilterCompiler.class.getProtectionDomain().getCodeSource()
                                .getLocation().toURI()))
                .find("dev.cordon.sandbox.seccomp").orElseThrow().descriptor();

        assertEquals(Set.of("dev.cordon.sandbox.seccomp"),
                descriptor.exports().stream().map(e -> e.source()).collect(java.util.stream.Collectors.toSet()));
        assertEquals(List.of("dev.cordon.sandbox.seccomp.SeccompFilterCompiler"),
                descriptor.provides().iterator().next().providers());
    }
}
