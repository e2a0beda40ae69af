/*
 * cordon-client: the thin launcher of Cordon's plan daemon (see dev.cordon.internal.daemon.PlanDaemon).
 *
 *   cordon-client N JAVA-ARGV(N words) RUNNER-ARGS...
 *
 * JAVA-ARGV is the command that runs the JVM runner (bin/cordon-runner builds it). The client asks the
 * daemon for the build script's plan and runs it itself, so no JVM starts per build script; it keeps
 * Cargo's descriptors, forwards signals and passes the exit status on. Whenever the daemon cannot help
 * (not running and not startable, FALLBACK, any error) it execs the JVM runner with the same arguments,
 * which does the job the slow but complete way.
 *
 *   cordon-client --command-file FILE --slow SCRIPT RUNNER-ARGS...
 *
 * The fast start bin/cordon-runner uses: FILE holds the JVM command (NUL-separated words) written when the
 * runner was packaged. When FILE is unreadable, or any jar it was packed from (runner-aot.inputs beside it)
 * is newer than the AOT cache (cordon-runner.aot beside it), the client runs `bash SCRIPT RUNNER-ARGS`: the
 * full launcher, which says why and starts from this checkout's classes instead.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TAIL_LINES 20
#define MAX_LINE 4096

extern char **environ;
static char **java_argv;     /* NULL-terminated, with room for 3 more words */
static int java_argc;
static char **runner_args;   /* NULL-terminated */
static int runner_argc;
static char socket_path[108];
static volatile pid_t child_pid;

static void fall_back(const char *why) {
    if (why && getenv("CORDON_DAEMON_DEBUG")) fprintf(stderr, "cordon-client: running the JVM runner: %s\n", why);
    char **argv = calloc(java_argc + runner_argc + 1, sizeof *argv);
    if (!argv) _exit(70);
    memcpy(argv, java_argv, java_argc * sizeof *argv);
    memcpy(argv + java_argc, runner_args, runner_argc * sizeof *argv);
    execv(argv[0], argv);
    fprintf(stderr, "cordon: error: cannot run the JVM runner %s: %s\n", argv[0], strerror(errno));
    _exit(70);
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

/* FNV-1a 64: names the socket after the JVM command and the variables the daemon's own process reads. */
static uint64_t fnv(uint64_t h, const char *s) {
    for (; *s; s++) { h ^= (unsigned char) *s; h *= 1099511628211ULL; }
    h ^= 0; h *= 1099511628211ULL;
    return h;
}

static void make_socket_path(void) {
    static const char *vars[] = {"PATH", "HOME", "CORDON_BACKEND", "CORDON_CACHE_DIR", "XDG_CACHE_HOME", NULL};
    uint64_t h = 14695981039346656037ULL;
    for (int i = 0; i < java_argc; i++) h = fnv(h, java_argv[i]);
    for (int i = 0; vars[i]; i++) { const char *v = getenv(vars[i]); h = fnv(h, v ? v : "\x01unset"); }
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
#ifdef __linux__
    struct ucred cred; socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != getuid()) { close(fd); return -1; }
#else
    uid_t peer_uid; gid_t peer_gid;
    if (getpeereid(fd, &peer_uid, &peer_gid) != 0 || peer_uid != getuid()) { close(fd); return -1; }
#endif
    return fd;
}

/* Mark every descriptor above 2 close-on-exec, except those in keep[0..n). */
static void close_others(const int *keep, int n) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name), kept = fd <= 2 || fd == dirfd(d);
        for (int i = 0; i < n && !kept; i++) kept = keep[i] == fd;
        if (!kept) fcntl(fd, F_SETFD, FD_CLOEXEC);
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

/* Sends a message (fields ended by NUL), half-closes, reads the whole answer into *out. */
static ssize_t exchange(int fd, const char *msg, size_t len, char **out) {
    if (write_all(fd, msg, len) != 0 || shutdown(fd, SHUT_WR) != 0) return -1;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) return -1;
        if (n == cap) buf = realloc(buf, cap *= 2);
        if (!buf) return -1;
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { free(buf); return -1; }
        if (r == 0) break;
        n += (size_t) r;
    }
    *out = buf;
    return (ssize_t) n;
}

struct msg { char *buf; size_t len; size_t size; };
static void put(struct msg *m, const char *s) {
    size_t l = strlen(s) + 1;
    if (m->len + l > m->size) {
        while (m->len + l > m->size) m->size = m->size ? m->size * 2 : 65536;
        m->buf = realloc(m->buf, m->size);
        if (!m->buf) fall_back("out of memory");
    }
    memcpy(m->buf + m->len, s, l); m->len += l;
}
static void put_num(struct msg *m, long v) { char s[32]; snprintf(s, sizeof s, "%ld", v); put(m, s); }

/* The answer's fields, in order. */
static char *resp; static size_t resp_len, resp_at;
static char *field(void) {
    if (resp_at >= resp_len) fall_back("the daemon's answer is too short");
    char *s = resp + resp_at, *end = memchr(s, 0, resp_len - resp_at);
    if (!end) fall_back("the daemon's answer is malformed");
    resp_at = (size_t) (end - resp) + 1;
    return s;
}
static long number(void) { return strtol(field(), NULL, 10); }

static void forward(int sig) { if (child_pid > 0) kill(child_pid, sig); }

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

/* Reads a whole small file; NULL when it cannot. */
static char *slurp(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) { close(fd); return NULL; }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { close(fd); free(buf); return NULL; }
        if (r == 0) break;
        n += (size_t) r;
        if (n == cap) { cap *= 2; buf = realloc(buf, cap + 1); }
    }
    close(fd);
    buf[n] = 0;
    *len = n;
    return buf;
}

static int newer(const struct stat *a, const struct stat *b) {
#ifdef __APPLE__
    return a->st_mtimespec.tv_sec > b->st_mtimespec.tv_sec || (a->st_mtimespec.tv_sec == b->st_mtimespec.tv_sec
            && a->st_mtimespec.tv_nsec > b->st_mtimespec.tv_nsec);
#else
    return a->st_mtim.tv_sec > b->st_mtim.tv_sec || (a->st_mtim.tv_sec == b->st_mtim.tv_sec
            && a->st_mtim.tv_nsec > b->st_mtim.tv_nsec);
#endif
}

/* Loads the packaged JVM command; 0 when it is missing or stale (an input jar newer than the AOT cache). */
static int load_command(const char *file) {
    size_t len, inputs_len;
    char *words = slurp(file, &len);
    if (!words || len == 0) return 0;
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0; else snprintf(dir, sizeof dir, ".");
    struct stat aot, st;
    snprintf(path, sizeof path, "%s/cordon-runner.aot", dir);
    if (stat(path, &aot) != 0) return 0;
    snprintf(path, sizeof path, "%s/runner-aot.inputs", dir);
    char *inputs = slurp(path, &inputs_len);
    if (!inputs) return 0;
    for (char *input = strtok(inputs, ":\n"); input; input = strtok(NULL, ":\n"))
        if (stat(input, &st) != 0 || newer(&st, &aot)) return 0;
    int count = 0;
    for (size_t i = 0; i < len; i++) count += words[i] == 0;
    if (count < 1 || words[len - 1] != 0) return 0;
    java_argv = calloc(count + 4, sizeof *java_argv);
    if (!java_argv) return 0;
    char *w = words;
    for (int i = 0; i < count; i++) { java_argv[i] = w; w += strlen(w) + 1; }
    java_argc = count;
    return 1;
}

int main(int argc, char **argv) {
    if (argc >= 5 && strcmp(argv[1], "--command-file") == 0 && strcmp(argv[3], "--slow") == 0) {
        runner_args = argv + 5;
        runner_argc = argc - 5;
        if (!load_command(argv[2])) {
            char **slow = calloc(runner_argc + 3, sizeof *slow);
            if (!slow) return 70;
            slow[0] = "bash"; slow[1] = argv[4];
            memcpy(slow + 2, runner_args, runner_argc * sizeof *slow);
            execv("/bin/bash", slow);
            fprintf(stderr, "cordon: error: cannot run %s: %s\n", argv[4], strerror(errno));
            return 70;
        }
        return run_client();
    }
    if (argc < 3) { fprintf(stderr, "usage: cordon-client N JAVA-ARGV... RUNNER-ARGS...\n"); return 64; }
    java_argc = atoi(argv[1]);
    if (java_argc < 1 || java_argc > argc - 2) { fprintf(stderr, "cordon-client: bad N\n"); return 64; }
    java_argv = calloc(java_argc + 4, sizeof *java_argv);
    if (!java_argv) return 70;
    memcpy(java_argv, argv + 2, java_argc * sizeof *argv);
    runner_args = argv + 2 + java_argc;
    runner_argc = argc - 2 - java_argc;
    return run_client();
}

static int run_client(void) {
    const char *first = runner_argc ? runner_args[0] : "";
    if (getenv("CORDON_NO_DAEMON") || runner_argc == 0 || (first[0] != '/' && strcmp(first, "run") != 0
            && strcmp(first, "--policy") != 0 && strncmp(first, "--policy=", 9) != 0 && strcmp(first, "--") != 0))
        fall_back("not a build-script call"); /* help, check, explain...: the JVM runner's business */
    make_socket_path();

    int fd = connect_daemon();
    if (fd < 0) {
        start_daemon();
        for (int i = 0; i < 300 && fd < 0; i++) {
            struct timespec t = {0, 10 * 1000 * 1000};
            nanosleep(&t, NULL);
            fd = connect_daemon();
        }
        if (fd < 0) fall_back("no daemon answered");
    }
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) fall_back("no working directory");
    struct msg req = {0};
    put(&req, "RUN"); put(&req, cwd); put_num(&req, runner_argc);
    for (int i = 0; i < runner_argc; i++) put(&req, runner_args[i]);
    long envc = 0;
    for (char **e = environ; *e; e++) envc++;
    put_num(&req, envc);
    for (char **e = environ; *e; e++) put(&req, *e);
    ssize_t n = exchange(fd, req.buf, req.len, &resp);
    close(fd);
    if (n <= 0) fall_back("the daemon gave no answer");
    resp_len = (size_t) n;
    char *kind = field();
    if (strcmp(kind, "EXEC") != 0) fall_back(strcmp(kind, "FALLBACK") == 0 ? field() : "unknown answer");

    char *token = field();
    int report_always = strcmp(field(), "1") == 0;
    char *plan_cwd = field();
    long pargc = number();
    if (pargc < 1 || pargc > 1 << 20) fall_back("bad command");
    char **pargv = calloc(pargc + 1, sizeof *pargv);
    for (long i = 0; i < pargc; i++) pargv[i] = field();
    long penvc = number();
    if (penvc < 0 || penvc > 1 << 20) fall_back("bad environment");
    char **penv = calloc(penvc + 1, sizeof *penv);
    for (long i = 0; i < penvc; i++) penv[i] = field();
    long ndesc = number();
    if (ndesc < 0 || ndesc > 1024) fall_back("bad descriptors");
    char **dkind = calloc(ndesc + 1, sizeof *dkind), **dsrc = calloc(ndesc + 1, sizeof *dsrc);
    int *dnum = calloc(ndesc + 1, sizeof *dnum);
    for (long i = 0; i < ndesc; i++) { dkind[i] = field(); dnum[i] = (int) number(); dsrc[i] = field(); }
    char *out_text = field(), *err_text = field();
    long timeout_ms = atol(field());   /* the grant's wall-clock limit; 0 for none */
    long idle_ms = atol(field());      /* the grant's limit on time without output; 0 for none */
    write_all(1, out_text, strlen(out_text));
    write_all(2, err_text, strlen(err_text));

    int errpipe[2], outpipe[2] = {-1, -1};
    if (pipe2(errpipe, O_CLOEXEC) != 0) fall_back("no pipe");
    /* Only an idle limit needs stdout watched; otherwise the script writes to Cargo's pipe directly. */
    if (idle_ms > 0 && pipe2(outpipe, O_CLOEXEC) != 0) fall_back("no pipe");
    struct sigaction sa = {.sa_handler = forward};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL); sigaction(SIGTERM, &sa, NULL); sigaction(SIGHUP, &sa, NULL);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char program[4096];
    const char *path = find_program(pargv[0], program, sizeof program);
    pid_t pid = fork();
    if (pid < 0) fall_back("cannot fork");
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(errpipe[1], 2) < 0) _exit(127);
        if (outpipe[1] >= 0 && dup2(outpipe[1], 1) < 0) _exit(127);
        int *moved = calloc(ndesc + 1, sizeof *moved);
        for (long i = 0; i < ndesc; i++) {   /* first out of the way, so no target clobbers a source */
            int src = dkind[i][0] == 'R' ? open(dsrc[i], O_RDONLY | O_CLOEXEC) : atoi(dsrc[i]);
            if (dkind[i][0] == 'R' && src < 0) {
                dprintf(2, "cordon: error: cannot open %s for the sandbox: %s\n", dsrc[i], strerror(errno));
                _exit(71);
            }
            moved[i] = fcntl(src, F_DUPFD_CLOEXEC, 1024); /* -1 for a descriptor we do not hold: not passed */
        }
        for (long i = 0; i < ndesc; i++)
            if (moved[i] >= 0 && dup2(moved[i], dnum[i]) < 0) _exit(71);
        close_others(dnum, (int) ndesc);
        if (chdir(plan_cwd) != 0) { dprintf(2, "cordon: error: cannot enter %s: %s\n", plan_cwd, strerror(errno)); _exit(71); }
        execve(path, pargv, penv);
        dprintf(2, "cordon: error: cannot run %s: %s\n", pargv[0], strerror(errno));
        _exit(127);
    }
    child_pid = pid;
    close(errpipe[1]);
    if (outpipe[1] >= 0) close(outpipe[1]);
    /* stderr (and stdout, when watched): copied byte for byte; stderr's last lines kept for reports. */
    static char tail[TAIL_LINES][MAX_LINE + 1];
    static char line[MAX_LINE + 1];
    int tail_next = 0, tail_count = 0; size_t line_len = 0;
    char buf[65536];
    const char *timed_out = NULL;   /* "timeout" or "idle-timeout" once a limit killed the script */
    struct timespec last = t0;      /* the last output */
    int open_fds = outpipe[0] >= 0 ? 2 : 1;
    struct pollfd fds[2] = {{.fd = errpipe[0], .events = POLLIN}, {.fd = outpipe[0], .events = POLLIN}};
    while (open_fds > 0) {
        long wait = -1;
        if (!timed_out) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            long ran = (now.tv_sec - t0.tv_sec) * 1000L + (now.tv_nsec - t0.tv_nsec) / 1000000L;
            long quiet = (now.tv_sec - last.tv_sec) * 1000L + (now.tv_nsec - last.tv_nsec) / 1000000L;
            const char *expired = NULL;
            if (timeout_ms > 0) { if (ran >= timeout_ms) expired = "timeout"; else wait = timeout_ms - ran; }
            if (!expired && idle_ms > 0) {
                if (quiet >= idle_ms) expired = "idle-timeout";
                else if (wait < 0 || idle_ms - quiet < wait) wait = idle_ms - quiet;
            }
            if (expired) {
                /* Out of time: the daemon reads what the tree is doing, then the whole tree dies with bwrap
                 * (--die-with-parent takes the sandbox's PID namespace down with it). */
                struct msg hang = {0};
                char pidtext[32];
                snprintf(pidtext, sizeof pidtext, "%ld", (long) pid);
                put(&hang, "HANG"); put(&hang, token); put(&hang, pidtext);
                int hfd = connect_daemon();
                char *ignored = NULL;
                if (hfd >= 0) { exchange(hfd, hang.buf, hang.len, &ignored); close(hfd); }
                kill(pid, SIGKILL);
                timed_out = expired;
                continue;
            }
        }
        int ready = poll(fds, 2, wait < 0 ? -1 : wait > 1000000 ? 1000000 : (int) wait);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        for (int k = 0; k < 2; k++) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t r = read(fds[k].fd, buf, sizeof buf);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) { close(fds[k].fd); fds[k].fd = -1; open_fds--; continue; }
            clock_gettime(CLOCK_MONOTONIC, &last);
            write_all(k == 0 ? 2 : 1, buf, (size_t) r);
            if (k == 1) continue;
            for (ssize_t i = 0; i < r; i++) {
                if (buf[i] == '\n') {
                    line[line_len] = 0; memcpy(tail[tail_next], line, line_len + 1);
                    tail_next = (tail_next + 1) % TAIL_LINES; if (tail_count < TAIL_LINES) tail_count++;
                    line_len = 0;
                } else if (line_len < MAX_LINE) line[line_len++] = buf[i];
            }
        }
    }
    if (line_len > 0) {
        line[line_len] = 0; memcpy(tail[tail_next], line, line_len + 1);
        tail_next = (tail_next + 1) % TAIL_LINES; if (tail_count < TAIL_LINES) tail_count++;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 70;
    if (timed_out) code = 124;   /* ExitCodes.TIMEOUT, as the JVM supervisor ends */
    if (code != 0 || report_always) {
        struct msg rep = {0};
        put(&rep, "REPORT"); put(&rep, token); put_num(&rep, code);
        put_num(&rep, (t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L);
        put_num(&rep, tail_count);
        for (int i = 0; i < tail_count; i++) put(&rep, tail[(tail_next - tail_count + i + TAIL_LINES) % TAIL_LINES]);
        if (timed_out) put(&rep, timed_out);
        int rfd = connect_daemon();
        char *answer = NULL;
        ssize_t an = rfd >= 0 ? exchange(rfd, rep.buf, rep.len, &answer) : -1;
        if (an > 0) {
            resp = answer; resp_len = (size_t) an; resp_at = 0;
            if (memchr(resp, 0, resp_len) && strcmp(field(), "TEXT") == 0) {
                char *text = field();
                write_all(2, text, strlen(text));
            }
        } else if (code != 0) {
            dprintf(2, "cordon: build script failed with exit status %d (the plan daemon could not explain it)\n", code);
        }
    }
    return code;
}
