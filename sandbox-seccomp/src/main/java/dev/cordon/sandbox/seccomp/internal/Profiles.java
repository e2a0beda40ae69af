package dev.cordon.sandbox.seccomp.internal;

import static dev.cordon.sandbox.seccomp.internal.SyscallRule.eperm;

import dev.cordon.sandbox.seccomp.internal.SyscallRule.Case;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The named rule sets. Every filter allows what no rule names: it is a deny-list on top of the
 * namespaces of the sandbox, so a call missing from a list is allowed, never broken.
 *
 * <p>The {@code default} list refuses what a build (rustc, cc/gcc, make, cmake, pkg-config, perl,
 * configure scripts) never does and an escape often does. Deliberately allowed: {@code
 * name_to_handle_at} (harmless without {@code open_by_handle_at}); {@code adjtimex} and {@code
 * clock_adjtime} (glibc's {@code ntp_gettime} reads through them and changing the clock needs
 * CAP_SYS_TIME, which the sandbox lacks); {@code socket(AF_NETLINK)} (glibc's {@code getaddrinfo} asks
 * the routing netlink socket for the local addresses; inside the sandbox's network namespace it shows
 * only that namespace); {@code seccomp} (a process may only add restrictions); {@code kcmp},
 * {@code get_mempolicy}, {@code set_mempolicy} (runtimes use them).
 */
public final class Profiles {
    /** Address families: {@code AF_UNIX}. */
    static final int AF_UNIX = 1;
    /** {@code AF_INET}. */
    static final int AF_INET = 2;
    /** {@code AF_NETLINK}. */
    static final int AF_NETLINK = 16;
    /** {@code AF_PACKET}. */
    static final int AF_PACKET = 17;
    /** {@code AF_INET6}. */
    static final int AF_INET6 = 10;

    /**
     * The namespace flags of {@code clone}: NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET.
     * {@code CLONE_NEWTIME} (0x80) is left out: in {@code clone} that bit belongs to the exit signal.
     */
    public static final long CLONE_NAMESPACES = 0x0002_0000L | 0x0200_0000L | 0x0400_0000L | 0x0800_0000L
            | 0x1000_0000L | 0x2000_0000L | 0x4000_0000L;
    /** The namespace flags of {@code unshare}: those of clone plus {@code CLONE_NEWTIME}. */
    public static final long UNSHARE_NAMESPACES = CLONE_NAMESPACES | 0x80L;
    /** {@code TIOCSTI}: pushes characters into a terminal's input, typing commands for the user. */
    public static final long TIOCSTI = 0x5412;
    /** {@code TIOCLINUX}: console selection tricks that also paste into the terminal. */
    public static final long TIOCLINUX = 0x541C;
    /**
     * The personalities allowed: PER_LINUX, PER_LINUX32, UNAME26 and both, ADDR_NO_RANDOMIZE (setarch
     * -R, sanitizer re-exec), and 0xffffffff (the query). Refused are e.g. READ_IMPLIES_EXEC and
     * MMAP_PAGE_ZERO, which only weaken memory protections.
     */
    public static final List<Long> PERSONALITIES = List.of(0x0L, 0x8L, 0x2_0000L, 0x2_0008L, 0x4_0000L,
            0xFFFF_FFFFL);
    /**
     * {@code S_ISUID | S_ISGID}: a file with either bit runs as its owner or group, which outside the
     * sandbox may be root. The default profile refuses both in every mode argument it can see.
     */
    public static final long SET_ID_BITS = 04000L | 02000L;
    /** The socket families left with no network: local sockets and routing netlink. */
    public static final List<Long> LOCAL_FAMILIES = List.of((long) AF_UNIX, (long) AF_NETLINK);

    private Profiles() {
    }

    /** {@return the rules of a named profile, or empty if there is no such profile} */
    public static Optional<List<SyscallRule>> named(String profile) {
        return switch (profile) {
            case "default" -> Optional.of(defaults());
            case "off" -> Optional.of(List.of());
            default -> Optional.empty();
        };
    }

    /** {@return the names {@link #named(String)} knows} */
    public static List<String> names() {
        return List.of("default", "off");
    }

    /** {@return the rules added when the grant has no network} */
    public static List<SyscallRule> noNetwork() {
        List<Case> local = allowEach(0, LOCAL_FAMILIES);
        return List.of(new SyscallRule("socket", local, Action.errno(Errno.EAFNOSUPPORT),
                "no network: only AF_UNIX and AF_NETLINK sockets (refuses INET, INET6, PACKET, VSOCK...)"));
    }

    /** One case per value: the 32-bit argument equal to it is allowed. */
    private static List<Case> allowEach(int argument, List<Long> values) {
        List<Case> cases = new ArrayList<>(values.size());
        for (long value : values) {
            cases.add(new Case(ArgCheck.equals32(argument, value), Action.allow()));
        }
        return cases;
    }

    private static List<SyscallRule> defaults() {
        Action enosys = Action.errno(Errno.ENOSYS);
        Action eperm = Action.errno(Errno.EPERM);
        return List.of(
                eperm("keyctl", "kernel keyrings are not namespaced: the user's keys are not the script's"),
                eperm("add_key", "kernel keyrings are not namespaced"),
                eperm("request_key", "kernel keyrings are not namespaced"),
                eperm("bpf", "loads programs into the kernel: a large attack surface"),
                eperm("perf_event_open", "performance counters leak kernel and other processes' activity"),
                eperm("userfaultfd", "stalls kernel page faults at will, a staple of kernel exploits"),
                eperm("ptrace", "inspects or steers other processes of the build (LeakSanitizer needs it)"),
                eperm("process_vm_readv", "reads another process's memory"),
                eperm("process_vm_writev", "writes another process's memory"),
                eperm("pidfd_getfd", "takes a file descriptor out of another process"),
                eperm("mount", "changes the mount table the sandbox relies on"),
                eperm("umount2", "changes the mount table the sandbox relies on"),
                eperm("move_mount", "changes the mount table the sandbox relies on"),
                eperm("open_tree", "clones mounts, a step to changing the mount table"),
                eperm("open_tree_attr", "clones mounts, a step to changing the mount table"),
                eperm("fsopen", "creates file system contexts for new mounts"),
                eperm("fsconfig", "configures file system contexts for new mounts"),
                eperm("fsmount", "creates mounts"),
                eperm("fspick", "reconfigures existing mounts"),
                eperm("mount_setattr", "changes mount flags such as read-only"),
                eperm("pivot_root", "swaps the root file system"),
                eperm("chroot", "changes the root directory; build tools do not"),
                eperm("init_module", "loads kernel modules"),
                eperm("finit_module", "loads kernel modules"),
                eperm("delete_module", "unloads kernel modules"),
                eperm("kexec_load", "replaces the running kernel"),
                eperm("kexec_file_load", "replaces the running kernel"),
                eperm("reboot", "restarts or halts the machine"),
                eperm("swapon", "changes the system's swap"),
                eperm("swapoff", "changes the system's swap"),
                eperm("setns", "joins another namespace, leaving the sandbox's"),
                eperm("acct", "switches process accounting for the system"),
                eperm("quotactl", "changes disk quotas"),
                eperm("quotactl_fd", "changes disk quotas"),
                eperm("lookup_dcookie", "a kernel profiling interface (removed in Linux 6.8)"),
                eperm("iopl", "raw hardware I/O port access (x86)"),
                eperm("ioperm", "raw hardware I/O port access (x86)"),
                eperm("modify_ldt", "x86 segment tables: old exploits use them, 64-bit programs do not"),
                eperm("open_by_handle_at", "opens files by handle, past path checks (a known container escape)"),
                eperm("settimeofday", "sets the system clock"),
                eperm("clock_settime", "sets the system clock"),
                eperm("syslog", "reads or clears the kernel log"),
                eperm("vhangup", "hangs up the terminal"),
                eperm("nfsservctl", "the removed kernel NFS server interface"),
                eperm("uselib", "the obsolete a.out library loader"),
                eperm("sethostname", "renames the machine"),
                eperm("setdomainname", "renames the machine's NIS domain"),
                SyscallRule.always("clone3", enosys,
                        "its flags sit in memory a filter cannot read; ENOSYS makes libc fall back to clone"),
                SyscallRule.always("io_uring_setup", enosys,
                        "io_uring opens sockets and files where this filter cannot see; ENOSYS reads as no io_uring"),
                SyscallRule.always("io_uring_enter", enosys, "see io_uring_setup"),
                SyscallRule.always("io_uring_register", enosys, "see io_uring_setup"),
                // clone(2) keeps only the low 32 bits of its flags; every namespace flag lives there.
                new SyscallRule("clone", List.of(new Case(ArgCheck.anyBit32(0, CLONE_NAMESPACES), eperm)),
                        Action.allow(), "new namespaces would undo the sandbox's; threads and fork are fine"),
                new SyscallRule("unshare", List.of(new Case(ArgCheck.anyBit64(0, UNSHARE_NAMESPACES), eperm)),
                        Action.allow(), "new namespaces would undo the sandbox's; CLONE_FILES/FS are fine"),
                new SyscallRule("ioctl", List.of(
                        new Case(ArgCheck.equals32(1, TIOCSTI), eperm),
                        new Case(ArgCheck.equals32(1, TIOCLINUX), eperm)),
                        Action.allow(), "typing into the user's terminal (TIOCSTI, TIOCLINUX)"),
                new SyscallRule("personality", allowEach(0, PERSONALITIES), eperm,
                        "personalities that weaken memory protection (READ_IMPLIES_EXEC, MMAP_PAGE_ZERO)"),
                // Setuid and setgid files (issue 12): refused wherever a mode reaches the kernel in a register.
                // mkdir and mkdirat are left alone: the kernel drops both bits from their mode anyway.
                setIdMode("chmod", 1),
                setIdMode("fchmod", 1),
                setIdMode("fchmodat", 2),
                setIdMode("fchmodat2", 2),
                setIdMode("creat", 1),
                setIdMode("open", 2),
                setIdMode("openat", 3),
                setIdMode("mknod", 1),
                setIdMode("mknodat", 2),
                SyscallRule.always("openat2", enosys, "its mode sits in memory a filter cannot read (struct "
                        + "open_how); ENOSYS makes callers fall back to openat, whose mode the filter sees"));
    }

    /** A rule refusing a mode argument ({@code mode_t}, 32 bits) with a setuid or setgid bit. */
    private static SyscallRule setIdMode(String name, int modeArgument) {
        return new SyscallRule(name, List.of(new Case(ArgCheck.anyBit32(modeArgument, SET_ID_BITS),
                Action.errno(Errno.EPERM))), Action.allow(),
                "a setuid or setgid bit in the mode would leave a file that runs as its owner outside the sandbox");
    }
}
