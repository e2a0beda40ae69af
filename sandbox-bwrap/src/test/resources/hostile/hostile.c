/*
 * A hostile "build script" for Cordon's sandbox tests. argv[1] names one escape attempt; the program
 * reports what happened on stdout ("ESCAPED ..." when the attempt worked, "blocked ..." otherwise) and
 * exits 0, so that the test decides from the host side whether the sandbox held.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int report(int ok, const char *what, const char *detail) {
    if (ok) {
        printf("ESCAPED %s %s\n", what, detail);
    } else {
        printf("blocked %s %s: %s\n", what, detail, strerror(errno));
    }
    fflush(stdout);
    return 0;
}

static int inet(int type, int port) {
    int s = socket(AF_INET, type, 0);
    if (s < 0) {
        return report(0, "socket", "");
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (type == SOCK_STREAM) {
        return report(connect(s, (struct sockaddr *)&a, sizeof a) == 0, "tcp-connect", "127.0.0.1");
    }
    int sent = 0;
    for (int i = 0; i < 3; i++) {
        sent |= sendto(s, "ping", 4, 0, (struct sockaddr *)&a, sizeof a) == 4;
    }
    return report(sent, "udp-send", "127.0.0.1");
}

static int unix_connect(const char *path) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    return report(connect(s, (struct sockaddr *)&a, sizeof a) == 0, "unix-connect", path);
}

static int read_files(int argc, char **argv) {
    for (int i = 2; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            report(0, "read", argv[i]);
            continue;
        }
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        buf[n < 0 ? 0 : n] = 0;
        printf("ESCAPED read %s: %s\n", argv[i], buf);
        close(fd);
    }
    return 0;
}

/* Looks for a secret in this process's environment and in every /proc/<pid>/environ and cmdline. */
static int find_secret(const char *secret) {
    const char *value;
    int found = 0;
    for (char **e = environ; *e; e++) {
        if (strstr(*e, secret)) {
            printf("ESCAPED secret in own environment\n");
            found = 1;
        }
    }
    DIR *proc = opendir("/proc");
    struct dirent *d;
    int seen = 0;
    while (proc && (d = readdir(proc))) {
        if (d->d_name[0] < '0' || d->d_name[0] > '9') {
            continue;
        }
        seen++;
        const char *files[] = {"environ", "cmdline"};
        for (int f = 0; f < 2; f++) {
            char path[300], buf[1 << 16];
            snprintf(path, sizeof path, "/proc/%s/%s", d->d_name, files[f]);
            int fd = open(path, O_RDONLY);
            if (fd < 0) {
                continue;
            }
            ssize_t n = read(fd, buf, sizeof buf - 1);
            close(fd);
            for (ssize_t i = 0; i < n; i++) {
                if (buf[i] == 0) {
                    buf[i] = '\n';
                }
            }
            buf[n < 0 ? 0 : n] = 0;
            if ((value = strstr(buf, secret))) {
                printf("ESCAPED secret in %s\n", path);
                found = 1;
            }
        }
    }
    printf("%s secret (looked at %d processes)\n", found ? "found" : "blocked", seen);
    return 0;
}

static int write_file(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return report(0, "write", path);
    }
    int ok = write(fd, "pwned\n", 6) == 6;
    close(fd);
    return report(ok, "write", path);
}

static int symlink_write(const char *link, const char *target) {
    if (symlink(target, link) != 0 && errno != EEXIST) {
        return report(0, "symlink", link);
    }
    return write_file(link);
}

/* Leaves a detached process behind that writes a marker after a delay. */
static int daemonise(const char *marker, const char *nonce) {
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        if (fork() == 0) {
            char script[600];
            snprintf(script, sizeof script, "sleep 2; echo alive > '%s'", marker);
            execl("/bin/sh", nonce, "-c", script, (char *)NULL);
            _exit(1);
        }
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("daemon started\n");
    return 0;
}

static int trace_parent(void) {
    pid_t parent = getppid();
    char what[64];
    snprintf(what, sizeof what, "pid %d", (int)parent);
    report(ptrace(PTRACE_ATTACH, parent, 0, 0) == 0, "ptrace-attach-parent", what);
    return report(ptrace(PTRACE_ATTACH, 1, 0, 0) == 0, "ptrace-attach", "pid 1");
}

static int inject_terminal(void) {
    int fd = open("/dev/tty", O_RDWR);
    if (fd < 0) {
        return report(0, "open", "/dev/tty");
    }
    char c = 'x';
    return report(ioctl(fd, TIOCSTI, &c) == 0, "tiocsti", "/dev/tty");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: hostile ATTACK [ARGS]\n");
        return 2;
    }
    const char *a = argv[1];
    if (!strcmp(a, "tcp")) return inet(SOCK_STREAM, atoi(argv[2]));
    if (!strcmp(a, "udp")) return inet(SOCK_DGRAM, atoi(argv[2]));
    if (!strcmp(a, "unix")) return unix_connect(argv[2]);
    if (!strcmp(a, "read")) return read_files(argc, argv);
    if (!strcmp(a, "secret")) {
        /* The secret arrives in two halves so that this process's own argv does not contain it. */
        char secret[512];
        snprintf(secret, sizeof secret, "%s%s", argv[2], argv[3]);
        return find_secret(secret);
    }
    if (!strcmp(a, "mkdir")) return report(mkdir(argv[2], 0755) == 0, "mkdir", argv[2]);
    if (!strcmp(a, "write")) return write_file(argv[2]);
    if (!strcmp(a, "symlink")) return symlink_write(argv[2], argv[3]);
    if (!strcmp(a, "daemon")) return daemonise(argv[2], argv[3]);
    if (!strcmp(a, "ptrace")) return trace_parent();
    if (!strcmp(a, "tiocsti")) return inject_terminal();
    fprintf(stderr, "unknown attack %s\n", a);
    return 2;
}
