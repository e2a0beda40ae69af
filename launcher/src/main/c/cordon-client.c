/*
 * cordon-client: the thin launcher of Cordon's plan daemon (dev.cordon.internal.daemon.PlanDaemon).
 *
 *   cordon-client N JAVA-ARGV(N words) RUNNER-ARGS...
 *
 * JAVA-ARGV is the command that runs the JVM runner (the packaged launcher, launcher/src/main/sh, decides it,
 * AOT cache or not).
 *
 * The client does only what the JVM cannot: it keeps Cargo's descriptors (stdout, stderr, the jobserver
 * pipes), forks and execs the plan the daemon sends, forwards signals to it and reports how it ended. The
 * daemon does everything else with the same Java supervisor a runner JVM uses: it reads the script's output
 * from this process's pipe ends (through /proc/<pid>/fd), polices it, writes Cargo's stdout and stderr,
 * enforces the time limits (asking this client to KILL), and answers DONE with the exit code. Whenever the
 * daemon cannot help before a plan started (not running and not startable, FALLBACK), the client execs the
 * JVM runner with the same arguments. Protocol: dev.cordon.internal.daemon.DaemonProtocol.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MESSAGE (16 << 20)   /* DaemonProtocol.MAX_MESSAGE */
#define EX_INTERNAL 70           /* ExitCodes.INTERNAL */

extern char **environ;
static char **java_argv;     /* NULL-terminated, with room for 3 more words */
static int java_argc;
static char **runner_args;   /* NULL-terminated */
static int runner_argc;
static char socket_path[108];
static volatile pid_t child_pid;

static void fall_back(const char *why) {
    if (why && getenv("CORDON_DAEMON_DEBUG")) fprintf(stderr, "cordon-client: running the JVM runner: %s\n", why);
    char **argv = calloc((size_t) java_argc + (size_t) runner_argc + 1, sizeof *argv);
    if (!argv) _exit(EX_INTERNAL);
    memcpy(argv, java_argv, (size_t) java_argc * sizeof *argv);
    memcpy(argv + java_argc, runner_args, (size_t) runner_argc * sizeof *argv);
    execv(argv[0], argv);
    fprintf(stderr, "cordon: error: cannot run the JVM runner %s: %s\n", argv[0], strerror(errno));
    _exit(EX_INTERNAL);
}

/* After a plan started there is no falling back: the script must not run twice. */
static void fail(const char *what) {
    if (child_pid > 0) { kill(child_pid, SIGKILL); waitpid(child_pid, NULL, 0); }
    fprintf(stderr, "cordon: error: %s (the plan daemon's client gave up; CORDON_NO_DAEMON=1 avoids the daemon)\n", what);
    _exit(EX_INTERNAL);
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w; n -= (size_t) w;
    }
    return 0;
}

static int read_all(int fd, char *p, size_t n) {   /* 1: read, 0: clean end before the first byte, -1: error */
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) return got == 0 ? 0 : -1;
        got += (size_t) r;
    }
    return 1;
}

/* Parses a whole decimal number in [min, max]; anything else is an error. */
static int parse_long(const char *s, long min, long max, long *out) {
    if (!s || !*s) return -1;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

/* FNV-1a 64: names the socket after the JVM command (the daemon reads everything else from each request). */
static uint64_t fnv(uint64_t h, const char *s) {
    for (; *s; s++) { h ^= (unsigned char) *s; h *= 1099511628211ULL; }
    h *= 1099511628211ULL;
    return h;
}

static void make_socket_path(void) {
    uint64_t h = 14695981039346656037ULL;
    for (int i = 0; i < java_argc; i++) h = fnv(h, java_argv[i]);
    char dir[72];
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && *xdg == '/' && strlen(xdg) < 60) snprintf(dir, sizeof dir, "%s/cordon", xdg);
    else snprintf(dir, sizeof dir, "/tmp/cordon-%u", (unsigned) getuid());
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) fall_back("cannot create the socket directory");
    struct stat st;
    /* Only a private directory of ours: anything else could let another user answer in the daemon's place. */
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077) != 0) {
        fprintf(stderr, "cordon: warning: not using the plan daemon: %s must be a directory owned by you with "
                "mode 700 (fix: chmod 700 %s, or remove it)\n", dir, dir);
        fall_back(NULL);
    }
    snprintf(socket_path, sizeof socket_path, "%s/runner-%016llx.sock", dir, (unsigned long long) h);
}

static int connect_daemon(void) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) { close(fd); return -1; }
    struct ucred cred; socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != getuid()) { close(fd); return -1; }
    return fd;
}

/* Mark every descriptor above 2 close-on-exec, except those in keep[0..n). */
static void close_others(const int *keep, long n) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        long fd;
        if (parse_long(e->d_name, 0, INT_MAX, &fd) != 0) continue;
        int kept = fd <= 2 || fd == dirfd(d);
        for (long i = 0; i < n && !kept; i++) kept = keep[i] == fd;
        if (!kept) fcntl((int) fd, F_SETFD, FD_CLOEXEC);
    }
    closedir(d);
}

static void start_daemon(void) {
    pid_t pid = fork();
    if (pid < 0) return;
    if (pid > 0) { waitpid(pid, NULL, 0); return; }
    setsid();
    if (fork() != 0) _exit(0);
    char log[128], old[132];
    snprintf(log, sizeof log, "%s.log", socket_path);
    /* Keep the log small: past 1 MiB, the previous daemon's log becomes <socket>.log.1 (one generation). */
    struct stat st;
    snprintf(old, sizeof old, "%s.1", log);
    if (stat(log, &st) == 0 && st.st_size > 1024 * 1024) rename(log, old);
    int in = open("/dev/null", O_RDONLY), out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0 || chdir("/") != 0) _exit(1);
    dup2(in, 0); dup2(out, 1); dup2(out, 2);
    close_others(NULL, 0); /* never hold Cargo's pipes: Cargo waits for their EOF */
    /* The daemon lives for minutes: give it what short runner JVMs turn off, the optimising JIT with the AOT
     * cache's method profiles, and the hsperfdata that lets jcmd and jps see it. */
    int kept = 0;
    for (int i = 0; i < java_argc; i++)
        if (strcmp(java_argv[i], "-XX:TieredStopAtLevel=1") != 0 && strcmp(java_argv[i], "-XX:-UsePerfData") != 0
                && strcmp(java_argv[i], "-XX:-AOTReplayTraining") != 0)
            java_argv[kept++] = java_argv[i];
    java_argv[kept] = "daemon"; java_argv[kept + 1] = "--socket";
    java_argv[kept + 2] = socket_path; java_argv[kept + 3] = NULL;
    execv(java_argv[0], java_argv);
    _exit(127);
}

/* A message being built: NUL-ended fields behind a 4-byte big-endian length. */
struct msg { char *buf; size_t len; size_t size; };
static int put(struct msg *m, const char *s) {
    size_t l = strlen(s) + 1;
    if (m->len + l > MAX_MESSAGE) return -1;
    if (m->len + l + 4 > m->size) {
        size_t size = m->size ? m->size : 65536;
        while (m->len + l + 4 > size) size *= 2;
        char *grown = realloc(m->buf, size);
        if (!grown) return -1;
        if (!m->buf) m->len = 4;
        m->buf = grown; m->size = size;
    }
    memcpy(m->buf + m->len, s, l); m->len += l;
    return 0;
}
static int put_num(struct msg *m, long v) { char s[32]; snprintf(s, sizeof s, "%ld", v); return put(m, s); }
static int send_msg(int fd, struct msg *m) {
    if (!m->buf) return -1;
    uint32_t body = (uint32_t) (m->len - 4);
    m->buf[0] = (char) (body >> 24); m->buf[1] = (char) (body >> 16); m->buf[2] = (char) (body >> 8); m->buf[3] = (char) body;
    int r = write_all(fd, m->buf, m->len);
    free(m->buf); m->buf = NULL; m->len = m->size = 0;
    return r;
}

/* One received message and a cursor over its fields. */
static char *frame; static size_t frame_len, frame_at;
static int frame_errno;   /* why the last read_frame failed: a read error's errno, or 0 for a malformed frame */
static int read_frame(int fd) {   /* 1: a frame, 0: the daemon closed, -1: error (see frame_errno) */
    unsigned char h[4];
    frame_errno = 0;
    errno = 0;
    int r = read_all(fd, (char *) h, 4);
    if (r < 0) frame_errno = errno;
    if (r <= 0) return r;
    size_t n = (size_t) h[0] << 24 | (size_t) h[1] << 16 | (size_t) h[2] << 8 | h[3];
    if (n == 0 || n > MAX_MESSAGE) return -1;
    free(frame);
    frame = malloc(n);
    if (!frame) return -1;
    errno = 0;
    r = read_all(fd, frame, n);
    if (r != 1) {
        frame_errno = errno;
        return -1;
    }
    if (frame[n - 1] != 0) return -1;
    frame_len = n; frame_at = 0;
    return 1;
}
static char *field(void) {   /* NULL when the message has no more fields */
    if (frame_at >= frame_len) return NULL;
    char *s = frame + frame_at;
    frame_at += strlen(s) + 1;   /* every message ends with NUL (checked in read_frame) */
    return s;
}
static int number(long min, long max, long *out) { return parse_long(field(), min, max, out); }

static void forward(int sig) {
    if (child_pid > 0) kill(child_pid, sig);
    else _exit(128 + sig);
}

static const char *find_program(const char *name, char *buf, size_t size) {
    if (strchr(name, '/')) return name;
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        const char *colon = strchrnul(p, ':');
        snprintf(buf, size, "%.*s/%s", (int) (colon - p), p, name);
        if (access(buf, X_OK) == 0) return buf;
        p = *colon ? colon + 1 : colon;
    }
    return name;
}

static int run_client(void);

int main(int argc, char **argv) {
    long n;
    if (argc < 3 || parse_long(argv[1], 1, argc - 2, &n) != 0) {
        fprintf(stderr, "usage: cordon-client N JAVA-ARGV(N words) RUNNER-ARGS...\n");
        return 64;
    }
    java_argc = (int) n;
    java_argv = calloc((size_t) java_argc + 4, sizeof *java_argv);
    if (!java_argv) return EX_INTERNAL;
    memcpy(java_argv, argv + 2, (size_t) java_argc * sizeof *argv);
    runner_args = argv + 2 + java_argc;
    runner_argc = argc - 2 - java_argc;
    return run_client();
}

/* A stream connection to the Unix socket at path (its length checked when the message was read), or -1. */
static int connect_unix(const char *path) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Starts the plan of an EXEC message; answers STARTED or FAILED. Returns the pidfd, or -1 when it failed. */
static int start_plan(int conn, int pipes[4]) {
    long count;
    char *plan_cwd = field();
    if (!plan_cwd || number(1, 1 << 16, &count) != 0) fail("malformed EXEC: command");
    char **pargv = calloc((size_t) count + 1, sizeof *pargv);
    if (!pargv) fail("out of memory");
    for (long i = 0; i < count; i++) if (!(pargv[i] = field())) fail("malformed EXEC: command word");
    if (number(0, 1 << 16, &count) != 0) fail("malformed EXEC: environment");
    char **penv = calloc((size_t) count + 1, sizeof *penv);
    if (!penv) fail("out of memory");
    for (long i = 0; i < count; i++) if (!(penv[i] = field())) fail("malformed EXEC: variable");
    long ndesc;
    if (number(0, 1024, &ndesc) != 0) fail("malformed EXEC: descriptors");
    char **dsrc = calloc((size_t) ndesc + 1, sizeof *dsrc);
    int *dnum = calloc((size_t) ndesc + 1, sizeof *dnum);
    char *dkind = calloc((size_t) ndesc + 1, sizeof *dkind);
    if (!dsrc || !dnum || !dkind) fail("out of memory");
    for (long i = 0; i < ndesc; i++) {
        char *kind = field();
        long num;
        /* R: a file opened for reading; I: one of ours passed on; U: a connection to a Unix socket. */
        if (!kind || (strcmp(kind, "R") != 0 && strcmp(kind, "I") != 0 && strcmp(kind, "U") != 0)
                || number(3, 1023, &num) != 0 || !(dsrc[i] = field()))
            fail("malformed EXEC: descriptor");
        dnum[i] = (int) num;
        dkind[i] = kind[0];
        long src;
        if (dkind[i] == 'I' && parse_long(dsrc[i], 0, INT_MAX, &src) != 0) fail("malformed EXEC: inherited descriptor");
        if (dkind[i] == 'U' && (dsrc[i][0] != '/' || strlen(dsrc[i]) >= sizeof ((struct sockaddr_un *) 0)->sun_path))
            fail("malformed EXEC: socket path");
    }
    long ngroups, nofile;
    if (number(0, 16, &ngroups) != 0) fail("malformed EXEC: cgroups");
    char **groups = calloc((size_t) ngroups + 1, sizeof *groups);
    if (!groups) fail("out of memory");
    for (long i = 0; i < ngroups; i++) if (!(groups[i] = field())) fail("malformed EXEC: cgroup");
    if (number(-1, INT_MAX, &nofile) != 0 || nofile == 0) fail("malformed EXEC: open-files limit");
    if (pipe2(pipes, O_CLOEXEC) != 0 || pipe2(pipes + 2, O_CLOEXEC) != 0) fail("no pipe");
    char program[4096];
    const char *path = find_program(pargv[0], program, sizeof program);
    int report[2];   /* the exec error, if any, reaches us through a close-on-exec pipe */
    if (pipe2(report, O_CLOEXEC) != 0) fail("no pipe");
    pid_t pid = fork();
    if (pid < 0) fail("cannot fork");
    if (pid == 0) {
        char why[512];
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(pipes[1], 1) < 0 || dup2(pipes[3], 2) < 0) _exit(127);
        int *moved = calloc((size_t) ndesc + 1, sizeof *moved);
        if (!moved) _exit(127);
        for (long i = 0; i < ndesc; i++) {   /* first out of the way, so no target clobbers a source */
            int src = dkind[i] == 'R' ? open(dsrc[i], O_RDONLY | O_CLOEXEC)
                    : dkind[i] == 'U' ? connect_unix(dsrc[i]) : atoi(dsrc[i]);
            if (dkind[i] != 'I' && src < 0) {
                snprintf(why, sizeof why, "cannot %s %s for the sandbox: %s",
                        dkind[i] == 'R' ? "open" : "connect to", dsrc[i], strerror(errno));
                write_all(report[1], why, strlen(why));
                _exit(71);
            }
            moved[i] = fcntl(src, F_DUPFD_CLOEXEC, 1024); /* -1 for a descriptor we do not hold: not passed */
        }
        for (long i = 0; i < ndesc; i++)
            if (moved[i] >= 0 && dup2(moved[i], dnum[i]) < 0) _exit(71);
        close_others(dnum, ndesc);
        /* The run's limits, before anything of the plan runs: its cgroups, then its open-files limit. */
        char pid_text[32];
        int pid_len = snprintf(pid_text, sizeof pid_text, "%ld\n", (long) getpid());
        for (long i = 0; i < ngroups; i++) {
            int g = open(groups[i], O_WRONLY | O_CLOEXEC);
            if (g < 0 || write(g, pid_text, (size_t) pid_len) != pid_len) {
                snprintf(why, sizeof why, "cannot join the run's cgroup %s: %s", groups[i], strerror(errno));
                write_all(report[1], why, strlen(why));
                _exit(71);
            }
            close(g);
        }
        if (nofile > 0) {
            struct rlimit lim = { (rlim_t) nofile, (rlim_t) nofile };
            if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
                snprintf(why, sizeof why, "cannot set the open-files limit %ld: %s", nofile, strerror(errno));
                write_all(report[1], why, strlen(why));
                _exit(71);
            }
        }
        if (chdir(plan_cwd) != 0) {
            snprintf(why, sizeof why, "cannot enter %s: %s", plan_cwd, strerror(errno));
            write_all(report[1], why, strlen(why));
            _exit(71);
        }
        execve(path, pargv, penv);
        snprintf(why, sizeof why, "cannot run %s: %s", pargv[0], strerror(errno));
        write_all(report[1], why, strlen(why));
        _exit(127);
    }
    close(report[1]);
    close(pipes[1]); close(pipes[3]);
    char why[512];
    ssize_t got;
    while ((got = read(report[0], why, sizeof why - 1)) < 0 && errno == EINTR) { }
    close(report[0]);
    free(pargv); free(penv); free(dsrc); free(dnum); free(dkind); free(groups);
    struct msg m = {0};
    if (got > 0) {
        why[got] = 0;
        waitpid(pid, NULL, 0);
        if (put(&m, "FAILED") || put(&m, why) || send_msg(conn, &m)) fail("the daemon went away");
        return -1;
    }
    child_pid = pid;
    int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) fail("pidfd_open failed");
    if (put(&m, "STARTED") || put_num(&m, pid) || put_num(&m, pipes[0]) || put_num(&m, pipes[2])
            || send_msg(conn, &m))
        fail("the daemon went away");
    return pidfd;
}

static int run_client(void) {
    const char *first = runner_argc ? runner_args[0] : "";
    /* A build script (an absolute path), a run, or rustc loading proc macros (macro, from bin/cordon-rustc). */
    if (getenv("CORDON_NO_DAEMON") || runner_argc == 0 || (first[0] != '/' && strcmp(first, "run") != 0
            && strcmp(first, "macro") != 0 && strcmp(first, "--policy") != 0 && strncmp(first, "--policy=", 9) != 0
            && strcmp(first, "--") != 0))
        fall_back("not a build-script call"); /* help, check, explain...: the JVM runner's business */
    make_socket_path();

    int conn = connect_daemon();
    if (conn < 0) {
        start_daemon();
        for (int i = 0; i < 300 && conn < 0; i++) {
            struct timespec t = {0, 10 * 1000 * 1000};
            nanosleep(&t, NULL);
            conn = connect_daemon();
        }
        if (conn < 0) fall_back("no daemon answered");
    }
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) fall_back("no working directory");
    struct msg req = {0};
    int bad = put(&req, "RUN") || put_num(&req, getpid()) || put(&req, cwd) || put_num(&req, runner_argc);
    for (int i = 0; i < runner_argc && !bad; i++) bad = put(&req, runner_args[i]);
    long envc = 0;
    for (char **e = environ; *e; e++) envc++;
    bad = bad || put_num(&req, envc);
    for (char **e = environ; *e && !bad; e++) bad = put(&req, *e);
    if (bad) fall_back("the call is too large for the daemon");
    if (send_msg(conn, &req) != 0) fall_back("the daemon took no request");

    struct sigaction sa = {.sa_handler = forward};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL); sigaction(SIGTERM, &sa, NULL); sigaction(SIGHUP, &sa, NULL);
    int pipes[4] = {-1, -1, -1, -1}, pidfd = -1;
    for (;;) {
        struct pollfd fds[2] = {{.fd = conn, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
        int ready = poll(fds, pidfd >= 0 ? 2 : 1, -1);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) fail("poll failed");
        if (pidfd >= 0 && (fds[1].revents & POLLIN)) {
            int status;
            while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR) { }
            child_pid = 0;
            close(pidfd); pidfd = -1;
            long code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : EX_INTERNAL;
            struct msg m = {0};
            if (put(&m, "EXITED") || put_num(&m, code) || send_msg(conn, &m)) fail("the daemon went away");
            continue;
        }
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        int r = read_frame(conn);
        if (r == 0 && pipes[0] < 0) fall_back("the daemon closed the connection");
        if (r < 0 && frame_errno != 0) {
            char why[256];
            snprintf(why, sizeof why, "the connection to the plan daemon failed: %s", strerror(frame_errno));
            fail(why);
        }
        if (r <= 0) fail(r == 0 ? "the plan daemon went away" : "the plan daemon sent a malformed message");
        char *kind = field();
        if (!kind) fail("the plan daemon sent an empty message");
        if (strcmp(kind, "FALLBACK") == 0) {
            if (pipes[0] >= 0) fail("the plan daemon failed after the script started");
            fall_back(field());
        } else if (strcmp(kind, "EXEC") == 0) {
            if (pipes[0] >= 0) fail("the plan daemon asked for a second plan");
            pidfd = start_plan(conn, pipes);
            if (pidfd < 0) pipes[0] = 0;   /* FAILED was sent: no plan runs, and none may start */
        } else if (strcmp(kind, "KILL") == 0) {
            if (child_pid > 0) kill(child_pid, SIGKILL);
        } else if (strcmp(kind, "DONE") == 0) {
            long code;
            if (number(0, 255, &code) != 0) fail("the plan daemon sent a malformed exit code");
            if (child_pid > 0) fail("the plan daemon finished while the script still ran");
            return (int) code;
        } else {
            fail("the plan daemon sent an unknown message");
        }
    }
}
