package dev.cordon.sandbox.seccomp.internal;

import dev.cordon.NetworkAccess;
import dev.cordon.SyscallProfile;
import dev.cordon.SyscallRules;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a filter should decide, written down from the policy's intent independently of the compiler's
 * rule model: the lists and constants here are the specification the filter is checked against.
 */
final class PolicyOracle {
    static final int AUDIT_ARCH_I386 = 0x4000_0003;

    /** The default profile's unconditional EPERM list. */
    static final Set<String> DEFAULT_EPERM = Set.of("keyctl", "add_key", "request_key", "bpf",
            "perf_event_open", "userfaultfd", "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
            "mount", "umount2", "move_mount", "open_tree", "open_tree_attr", "fsopen", "fsconfig", "fsmount",
            "fspick", "mount_setattr", "pivot_root", "chroot", "init_module", "finit_module", "delete_module",
            "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "setns", "acct", "quotactl",
            "quotactl_fd", "lookup_dcookie", "iopl", "ioperm", "modify_ldt", "open_by_handle_at",
            "settimeofday", "clock_settime", "syslog", "vhangup", "nfsservctl", "uselib", "sethostname",
            "setdomainname");
    /** Calls the default profile answers with ENOSYS so that libc and tools fall back. */
    static final Set<String> DEFAULT_ENOSYS = Set.of("clone3", "io_uring_setup", "io_uring_enter",
            "io_uring_register", "openat2");
    /** Calls with a mode argument, by the argument's index: no setuid or setgid bit (04000, 02000) there. */
    static final Map<String, Integer> MODE_ARGUMENT = Map.of("chmod", 1, "fchmod", 1, "fchmodat", 2, "fchmodat2", 2,
            "creat", 1, "open", 2, "openat", 3, "mknod", 1, "mknodat", 2);
    static final long CLONE_NEW_FLAGS = 0x7E02_0000L;
    static final long UNSHARE_NEW_FLAGS = 0x7E02_0080L;
    static final Set<Long> PERSONALITIES = Set.of(0L, 8L, 0x2_0000L, 0x2_0008L, 0x4_0000L, 0xFFFF_FFFFL);

    private static final Map<Architecture, Map<Integer, String>> NAMES = new HashMap<>();

    private PolicyOracle() {
    }

    static synchronized String name(Architecture architecture, int nr) {
        return NAMES.computeIfAbsent(architecture, a -> {
            Map<Integer, String> names = new HashMap<>();
            a.syscalls().all().forEach((name, number) -> names.put(number, name));
            return names;
        }).get(nr);
    }

    static int expected(Architecture target, SyscallRules rules, NetworkAccess network, int arch, int nr,
            long[] args) {
        if (arch != target.auditArch()) {
            return Action.KILL_PROCESS;
        }
        if (target == Architecture.X86_64 && (nr & 0x4000_0000) != 0) {
            return Action.ERRNO | Errno.ENOSYS;
        }
        String name = name(target, nr);
        if (name == null) {
            return Action.ALLOW;
        }
        if (rules.deny().contains(name)) {
            return Action.ERRNO | Errno.EPERM;
        }
        boolean filtered = !rules.profile().equals(SyscallProfile.OFF);
        if (filtered && network.mode() == NetworkAccess.Mode.NONE && name.equals("socket")) {
            int family = (int) args[0];
            if (family != 1 && family != 16) {
                return Action.ERRNO | Errno.EAFNOSUPPORT;
            }
        }
        if (!rules.profile().equals(SyscallProfile.DEFAULT) || rules.allow().contains(name)) {
            return Action.ALLOW;
        }
        if (DEFAULT_EPERM.contains(name)) {
            return Action.ERRNO | Errno.EPERM;
        }
        if (DEFAULT_ENOSYS.contains(name)) {
            return Action.ERRNO | Errno.ENOSYS;
        }
        boolean refused = switch (name) {
            case "clone" -> (args[0] & CLONE_NEW_FLAGS) != 0;
            case "unshare" -> (args[0] & UNSHARE_NEW_FLAGS) != 0;
            case "ioctl" -> (int) args[1] == 0x5412 || (int) args[1] == 0x541C;
            case "personality" -> !PERSONALITIES.contains(args[0] & 0xFFFF_FFFFL);
            default -> MODE_ARGUMENT.containsKey(name) && (args[MODE_ARGUMENT.get(name)] & 06000) != 0;
        };
        return refused ? Action.ERRNO | Errno.EPERM : Action.ALLOW;
    }
}
