/*
 * cordon-netjail: the native step of Cordon's network routes on Linux (issue 13).
 *
 * The JVM cannot run code between fork and exec, and a seccomp filter with a user-notification
 * listener has to be installed by the process it confines. This program does only that, in two steps
 * that each end in execv of the rest of its argv, so it works with any spawner:
 *
 *   cordon-netjail connect SOCKET FD -- COMMAND...
 *       Outside the sandbox: connects to the supervisor's Unix socket SOCKET (a path in a private 0700
 *       directory the sandbox cannot see), moves the connection to descriptor FD and execs COMMAND
 *       (bwrap ...), which passes FD on to the sandboxed process.
 *
 *   cordon-netjail install FD -- COMMAND...
 *       Inside the sandbox, last step before the build script: reads the filter program the supervisor
 *       sends on FD (4-byte little-endian length, then struct sock_filter[]), sets no_new_privs,
 *       installs it with SECCOMP_FILTER_FLAG_NEW_LISTENER, writes the listener's number on FD (the
 *       supervisor takes it with pidfd_getfd), waits for a one-byte ack, closes both and execs COMMAND;
 *       when COMMAND is this program's own drop step (a root runner's), it performs that step itself
 *       instead of exec'ing it.
 *
 *   cordon-netjail drop UID GID -- COMMAND...
 *       Inside the sandbox of a runner that runs as root (bwrap stays root, no user namespace), the first
 *       process: drops every capability from the bounding set, clears the supplementary groups, switches
 *       real, effective and saved ids to UID/GID, empties the inheritable and ambient sets, sets
 *       no_new_privs, checks that root cannot be regained, puts the variables that travelled past the
 *       privileged process under CORDON_WITHHELD_<NAME> back under their names, and execs COMMAND (the
 *       build script). One static program instead of setpriv, a shell and env: each exec costs a build
 *       script milliseconds.
 *
 * Exit status 77 (Cordon's "cannot enforce") with a message on stderr when any step fails: a build
 * script must never run without the filter its grant needs, or as root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define EXIT_UNENFORCEABLE 77
/* BPF_MAXINSNS: the kernel refuses longer classic-BPF programs. */
#define MAX_INSTRUCTIONS 4096

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static void fail(const char *what) {
    int saved = errno;
    fprintf(stderr, "cordon-netjail: %s: %s\n", what, saved ? strerror(saved) : "failed");
    exit(EXIT_UNENFORCEABLE);
}

static void fail_plain(const char *what) {
    fprintf(stderr, "cordon-netjail: %s\n", what);
    exit(EXIT_UNENFORCEABLE);
}

static void usage(void) {
    fail_plain("usage: cordon-netjail connect SOCKET FD -- COMMAND... | cordon-netjail install FD -- COMMAND..."
               " | cordon-netjail drop UID GID -- COMMAND...");
}

/* A whole decimal number in [min, max] (digits only, at most 5 of them); else the usage, or why. */
static long parse_number(const char *text, long min, long max, const char *range) {
    if (text == NULL || *text == '\0' || strlen(text) > 5) {
        usage();
    }
    long value = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9') {
            usage();
        }
        value = value * 10 + (*p - '0');
    }
    if (value < min || value > max) {
        fail_plain(range);
    }
    return value;
}

/* A user or group id for the drop: 1..65534 (never root, never the overflow's 65535). */
static long parse_id(const char *text) {
    return parse_number(text, 1, 65534, "the sandbox user's uid and gid must be between 1 and 65534");
}

/* A descriptor number: 3..1023 (0-2 are stdio; bwrap and the script get few fds). */
static int parse_fd(const char *text) {
    return (int) parse_number(text, 3, 1023, "descriptor number must be between 3 and 1023");
}

static void read_fully(int fd, void *buffer, size_t length) {
    char *at = buffer;
    while (length > 0) {
        ssize_t n = read(fd, at, length);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail("read from the supervisor");
        }
        if (n == 0) {
            errno = 0;
            fail("the supervisor closed the connection early");
        }
        at += n;
        length -= (size_t) n;
    }
}

static void run(char **command) {
    execv(command[0], command);
    fail(command[0]);
}

static const char *self;   /* argv[0]: the path this program was started by */
static int do_drop(long uid, long gid, char **command);

static int do_connect(const char *path, int target, char **command) {
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof address.sun_path) {
        fail_plain("socket path too long");
    }
    strcpy(address.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail("socket");
    }
    if (connect(fd, (struct sockaddr *) &address, sizeof address) != 0) {
        fail("connect to the supervisor");
    }
    /* dup2 clears close-on-exec on the new number: the connection passes through bwrap. */
    if (fd != target) {
        if (dup2(fd, target) != target) {
            fail("dup2");
        }
        if (close(fd) != 0) {
            fail("close");
        }
    } else if (fcntl(fd, F_SETFD, 0) != 0) {
        fail("fcntl");
    }
    run(command);
    return EXIT_UNENFORCEABLE;
}

/* Tells the supervisor the listener's number with write(2): the filter is already in force, and it hands
   sendmsg to the supervisor, which cannot answer before it has the listener. The supervisor reads the
   writer's pid from the kernel (SO_PASSCRED) and takes the descriptor itself (pidfd_getfd). */
static void announce_listener(int channel, int listener) {
    unsigned char message[5] = {'L', (unsigned char) listener, (unsigned char) (listener >> 8),
            (unsigned char) (listener >> 16), (unsigned char) (listener >> 24)};
    size_t done = 0;
    while (done < sizeof message) {
        ssize_t n = write(channel, message + done, sizeof message - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fail("tell the supervisor the listener");
        }
        done += (size_t) n;
    }
}

static int do_install(int channel, char **command) {
    unsigned char header[4];
    read_fully(channel, header, sizeof header);
    uint32_t bytes = (uint32_t) header[0] | (uint32_t) header[1] << 8 | (uint32_t) header[2] << 16
            | (uint32_t) header[3] << 24;
    if (bytes == 0 || bytes % sizeof(struct sock_filter) != 0
            || bytes / sizeof(struct sock_filter) > MAX_INSTRUCTIONS) {
        fail_plain("the supervisor sent a filter of an invalid size");
    }
    struct sock_filter *program = malloc(bytes);
    if (program == NULL) {
        fail("malloc");
    }
    read_fully(channel, program, bytes);
    struct sock_fprog filter = {
        .len = (unsigned short) (bytes / sizeof(struct sock_filter)),
        .filter = program,
    };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fail("prctl(PR_SET_NO_NEW_PRIVS)");
    }
    /* WAIT_KILLABLE_RECV: once the supervisor has read a notification, only a fatal signal interrupts
       the call, so a signal cannot make the kernel restart a connect the supervisor is answering. */
    long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
            SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &filter);
    if (listener < 0) {
        fail("seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER)");
    }
    free(program);
    announce_listener(channel, (int) listener);
    char ack;
    read_fully(channel, &ack, 1);
    if (ack != 'A') {
        fail_plain("the supervisor refused the listener");
    }
    if (close((int) listener) != 0) {
        fail("close the listener");
    }
    if (close(channel) != 0) {
        fail("close the supervisor connection");
    }
    /* A root runner's next step is this same program's drop: done here, it saves the sandbox an exec
       (milliseconds on a small VM). The filter installed above confines it either way. */
    if (command[0] && command[1] && command[2] && command[3] && command[4] && strcmp(command[0], self) == 0
            && strcmp(command[1], "drop") == 0 && strcmp(command[4], "--") == 0) {
        return do_drop(parse_id(command[2]), parse_id(command[3]), command + 5);
    }
    run(command);
    return EXIT_UNENFORCEABLE;
}

#define WITHHELD_PREFIX "CORDON_WITHHELD_"

/* Puts CORDON_WITHHELD_<NAME>=value back as <NAME>=value, after removing the PWD bwrap set: the script
 * sees exactly its grant's variables. The entries are copied first, since setenv and unsetenv change
 * environ under the loop. */
static void restore_withheld(void) {
    extern char **environ;
    size_t count = 0;
    for (char **e = environ; *e; e++) {
        count++;
    }
    char **moved = calloc(count + 1, sizeof *moved);
    if (moved == NULL) {
        fail("allocate the environment");
    }
    size_t n = 0;
    size_t prefix = strlen(WITHHELD_PREFIX);
    /* bwrap sets PWD after --chdir; the grant's own PWD, if any, travels withheld like the loader's. */
    if (unsetenv("PWD") != 0) {
        fail("unset PWD");
    }
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, WITHHELD_PREFIX, prefix) == 0 && strchr(*e, '=') != NULL) {
            if ((moved[n++] = strdup(*e)) == NULL) {
                fail("allocate the environment");
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        char *equals = strchr(moved[i], '=');
        *equals = '\0';
        const char *name = moved[i] + prefix;
        if (*name == '\0' || setenv(name, equals + 1, 1) != 0 || unsetenv(moved[i]) != 0) {
            fail_plain("cannot restore a withheld variable");
        }
        free(moved[i]);
    }
    free(moved);
}

static int do_drop(long uid, long gid, char **command) {
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
            fail("drop the capability bounding set");
        }
    }
    if (setgroups(0, NULL) != 0) {
        fail("clear the supplementary groups");
    }
    if (setresgid((gid_t) gid, (gid_t) gid, (gid_t) gid) != 0) {
        fail("switch to the sandbox group");
    }
    if (setresuid((uid_t) uid, (uid_t) uid, (uid_t) uid) != 0) {
        fail("switch to the sandbox user");
    }
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &header, data) != 0) {
        fail("clear the capability sets");
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        fail("clear the ambient capabilities");
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fail("set no_new_privs");
    }
    uid_t r, e, s;
    gid_t rg, eg, sg;
    if (getresuid(&r, &e, &s) != 0 || getresgid(&rg, &eg, &sg) != 0 || r != (uid_t) uid || e != (uid_t) uid
            || s != (uid_t) uid || rg != (gid_t) gid || eg != (gid_t) gid || sg != (gid_t) gid
            || getgroups(0, NULL) != 0 || setresuid(0, 0, 0) == 0 || setresgid(0, 0, 0) == 0) {
        fail_plain("the switch to the sandbox user did not hold");
    }
    restore_withheld();
    run(command);
    return EXIT_UNENFORCEABLE;
}

int main(int argc, char **argv) {
    self = argv[0];
    if (argc >= 6 && strcmp(argv[1], "drop") == 0 && strcmp(argv[4], "--") == 0) {
        return do_drop(parse_id(argv[2]), parse_id(argv[3]), argv + 5);
    }
    if (argc >= 6 && strcmp(argv[1], "connect") == 0 && strcmp(argv[4], "--") == 0) {
        return do_connect(argv[2], parse_fd(argv[3]), argv + 5);
    }
    if (argc >= 5 && strcmp(argv[1], "install") == 0 && strcmp(argv[3], "--") == 0) {
        return do_install(parse_fd(argv[2]), argv + 4);
    }
    usage();
    return EXIT_UNENFORCEABLE;
}
