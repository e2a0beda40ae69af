/*
 * Seccomp probe: for each name on the command line, forks a child that makes one system call and
 * prints "<name> <errno>" (0 when the call succeeded); a child killed by a signal is reported as
 * "<name> signal <number>". Forking keeps one probe's effects (chroot, unshare, personality) out of
 * the next. Calls that would create a child reap it.
 * Used by KernelEnforcementTest, under bwrap with and without Cordon's filter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* A clone-like result: reap a child, report success. */
static long reap(long r) {
    if (r == 0) {
        _exit(0);
    }
    if (r > 0) {
        waitpid((pid_t) r, NULL, __WALL);
        return 0;
    }
    return r;
}

static long pty_ioctl(unsigned long request, void *arg) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
        return -1;
    }
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    if (slave < 0) {
        return -1;
    }
    long r = ioctl(slave, request, arg);
    int saved = errno;
    close(slave);
    close(master);
    errno = saved;
    return r;
}

/* A fresh file to change the mode of (the probe runs with a private, writable /var/tmp). */
static int scratch(void) {
    char path[64];
    snprintf(path, sizeof path, "/var/tmp/probe-%d", (int) getpid());
    return open(path, O_CREAT | O_RDWR, 0644);
}

struct probe_open_how {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};

static long probe(const char *name) {
    char buffer[256] = {0};
    if (!strcmp(name, "keyctl")) return syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 1);
    if (!strcmp(name, "add_key")) return syscall(SYS_add_key, "user", "cordon-probe", "v", 1, -3);
    if (!strcmp(name, "bpf")) {
        uint32_t attr[16] = {2 /* BPF_MAP_TYPE_ARRAY */, 4, 4, 1};
        return syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof attr);
    }
    if (!strcmp(name, "perf_event_open")) {
        struct perf_event_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.type = PERF_TYPE_SOFTWARE;
        attr.size = sizeof attr;
        attr.config = PERF_COUNT_SW_DUMMY;
        attr.disabled = 1;
        attr.exclude_kernel = 1;
        attr.exclude_hv = 1;
        return syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
    }
    if (!strcmp(name, "userfaultfd")) return syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* USER_MODE_ONLY */);
    if (!strcmp(name, "ptrace")) return ptrace(PTRACE_PEEKDATA, getpid(), buffer, 0) == -1 && errno ? -1 : 0;
    if (!strcmp(name, "process_vm_readv")) {
        char source[8] = "cordon";
        struct iovec local = {buffer, sizeof source}, remote = {source, sizeof source};
        return syscall(SYS_process_vm_readv, getpid(), &local, 1, &remote, 1, 0);
    }
    if (!strcmp(name, "mount")) return mount("none", "/tmp", "tmpfs", 0, NULL);
    if (!strcmp(name, "umount2")) return umount2("/proc", MNT_DETACH);
    if (!strcmp(name, "chroot")) return chroot("/");
    if (!strcmp(name, "setns")) return setns(-1, 0);
    if (!strcmp(name, "reboot")) return syscall(SYS_reboot, 0, 0, 0, NULL);
    if (!strcmp(name, "init_module")) return syscall(SYS_init_module, NULL, 0, "");
    if (!strcmp(name, "unshare_newuser")) return unshare(CLONE_NEWUSER);
    if (!strcmp(name, "unshare_newnet")) return unshare(CLONE_NEWNET);
    if (!strcmp(name, "unshare_files")) return unshare(CLONE_FILES);
    if (!strcmp(name, "clone_newuser")) return reap(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
    if (!strcmp(name, "clone_plain")) return reap(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
    if (!strcmp(name, "clone3")) {
        uint64_t args[11] = {0};
        args[4] = SIGCHLD; /* exit_signal */
        return reap(syscall(SYS_clone3, args, sizeof args));
    }
    if (!strcmp(name, "fork_exec_true")) {
        pid_t child = fork();
        if (child == 0) {
            execl("/bin/true", "true", (char *) NULL);
            _exit(127);
        }
        if (child < 0) return -1;
        int status = 0;
        waitpid(child, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
        errno = ECHILD;
        return -1;
    }
    if (!strcmp(name, "socket_inet")) return socket(AF_INET, SOCK_STREAM, 0);
    if (!strcmp(name, "socket_inet6")) return socket(AF_INET6, SOCK_DGRAM, 0);
    if (!strcmp(name, "socket_packet")) return socket(AF_PACKET, SOCK_RAW, 0);
    if (!strcmp(name, "socket_vsock")) return socket(AF_VSOCK, SOCK_STREAM, 0);
    if (!strcmp(name, "socket_unix")) return socket(AF_UNIX, SOCK_STREAM, 0);
    if (!strcmp(name, "socket_netlink")) return socket(AF_NETLINK, SOCK_RAW, 0 /* NETLINK_ROUTE */);
    if (!strcmp(name, "ioctl_tiocsti")) { char c = 'x'; return pty_ioctl(TIOCSTI, &c); }
    if (!strcmp(name, "ioctl_tioclinux")) { char sub = 12; /* TIOCL_GETSHIFTSTATE */ return pty_ioctl(TIOCLINUX, &sub); }
    if (!strcmp(name, "ioctl_tiocgwinsz")) { struct winsize w; return pty_ioctl(TIOCGWINSZ, &w); }
    if (!strcmp(name, "personality_query")) return personality(0xffffffff) == -1 ? -1 : 0;
    if (!strcmp(name, "personality_linux")) return personality(PER_LINUX) == -1 ? -1 : 0;
    if (!strcmp(name, "personality_read_implies_exec")) {
        long r = personality(PER_LINUX | READ_IMPLIES_EXEC);
        if (r != -1) personality(PER_LINUX);
        return r == -1 ? -1 : 0;
    }
    if (!strcmp(name, "personality_high_junk")) {
        long r = syscall(SYS_personality, 0x100000000UL | READ_IMPLIES_EXEC);
        if (r != -1) personality(PER_LINUX);
        return r == -1 ? -1 : 0;
    }
    if (!strcmp(name, "io_uring_setup")) {
        struct io_uring_params params;
        memset(&params, 0, sizeof params);
        return syscall(SYS_io_uring_setup, 1, &params);
    }
    if (!strcmp(name, "open_read_write")) {
        int in = open("/etc/hostname", O_RDONLY), out = open("/dev/null", O_WRONLY);
        if (in < 0 || out < 0) return -1;
        ssize_t n = read(in, buffer, sizeof buffer);
        return n < 0 || write(out, buffer, (size_t) n) != n ? -1 : 0;
    }
    if (!strcmp(name, "chmod_setuid")) return scratch() < 0 ? -1 : chmod("/proc/self/fd/3", 04755);
    if (!strcmp(name, "chmod_setgid")) return scratch() < 0 ? -1 : chmod("/proc/self/fd/3", 02755);
    if (!strcmp(name, "chmod_plain")) return scratch() < 0 ? -1 : chmod("/proc/self/fd/3", 0755);
    if (!strcmp(name, "fchmod_setuid")) { int fd = scratch(); return fd < 0 ? -1 : fchmod(fd, 04755); }
    if (!strcmp(name, "fchmodat_setuid")) {
        return scratch() < 0 ? -1 : syscall(SYS_fchmodat, AT_FDCWD, "/proc/self/fd/3", 04755);
    }
    if (!strcmp(name, "fchmodat2_setgid")) {
        return scratch() < 0 ? -1 : syscall(452 /* fchmodat2 on x86_64 and aarch64 */, AT_FDCWD, "/proc/self/fd/3",
                02755, 0);
    }
    if (!strcmp(name, "open_creat_setuid")) return open("/var/tmp/probe-open", O_CREAT | O_WRONLY, 04755);
    if (!strcmp(name, "openat_creat_setgid")) return openat(AT_FDCWD, "/var/tmp/probe-openat", O_CREAT | O_WRONLY, 02755);
    if (!strcmp(name, "open_creat_plain")) return open("/var/tmp/probe-plain", O_CREAT | O_WRONLY, 0755);
    if (!strcmp(name, "creat_setuid")) return creat("/var/tmp/probe-creat", 04755);
    if (!strcmp(name, "mknodat_setuid")) return mknodat(AT_FDCWD, "/var/tmp/probe-mknod", S_IFREG | 04755, 0);
    if (!strcmp(name, "openat2")) {
        struct probe_open_how how = {.flags = O_RDONLY};
        return syscall(437 /* openat2 */, AT_FDCWD, "/etc/hostname", &how, sizeof how);
    }
    if (!strcmp(name, "getpid")) return getpid() > 0 ? 0 : -1;
    if (!strcmp(name, "getppid")) return syscall(SYS_getppid) < 0 ? -1 : 0;
#ifdef __x86_64__
    if (!strcmp(name, "x32_getpid")) return syscall(0x40000000 | 39);
    if (!strcmp(name, "int80_getpid")) {
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory");
        return r < 0 ? (errno = (int) -r, -1) : 0;
    }
#endif
    errno = EINVAL;
    fprintf(stderr, "probe: unknown or unsupported probe '%s'\n", name);
    return -2;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i < argc; i++) {
        pid_t child = fork();
        if (child < 0) {
            perror("probe: fork");
            return 2;
        }
        if (child == 0) {
            errno = 0;
            long r = probe(argv[i]);
            printf("%s %d\n", argv[i], r < 0 ? errno : 0);
            _exit(r == -2 ? 3 : 0);
        }
        int status = 0;
        waitpid(child, &status, 0);
        if (WIFSIGNALED(status)) {
            printf("%s signal %d\n", argv[i], WTERMSIG(status));
        } else if (WEXITSTATUS(status) != 0) {
            return WEXITSTATUS(status);
        }
    }
    return 0;
}
