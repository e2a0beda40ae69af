/*
 * Attacks on the network-route supervisor (issue 13), run as the "build script" of a route-granted plan.
 * Each mode prints one line per fact the test checks ("key=value"); the test's servers count what
 * actually reached the host. Every mode is bounded in time by alarm(2).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in loopback(const char *ip, int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short) port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

/* Sends "ping", expects the server's "PING" back. */
static int exchange(int fd) {
    if (write(fd, "ping", 4) != 4) {
        return 0;
    }
    char buf[4];
    size_t got = 0;
    while (got < 4) {
        ssize_t n = read(fd, buf + got, 4 - got);
        if (n <= 0) {
            return 0;
        }
        got += (size_t) n;
    }
    return memcmp(buf, "PING", 4) == 0;
}

/* ---- race: one thread flips the port in the sockaddr while the main thread connects with it ---- */
static struct sockaddr_in shared;
static atomic_int stop;
static int granted_port, forbidden_port;

static void *flipper(void *unused) {
    (void) unused;
    unsigned short g = htons((unsigned short) granted_port), f = htons((unsigned short) forbidden_port);
    /* Each value stays a while, so that the supervisor's single read sees either. */
    for (unsigned long i = 0; !atomic_load(&stop); i++) {
        *(volatile unsigned short *) &shared.sin_port = (i & 1) ? f : g;
        for (volatile int spin = 0; spin < 20000; spin++) {
        }
    }
    return NULL;
}

static int race(int rounds) {
    shared = loopback("127.0.0.1", granted_port);
    pthread_t t;
    pthread_create(&t, NULL, flipper, NULL);
    int connected = 0, refused = 0, talked = 0;
    for (int i = 0; i < rounds; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *) &shared, sizeof shared) == 0) {
            connected++;
            struct sockaddr_in peer;
            socklen_t len = sizeof peer;
            /* The supervisor's socket is connected to exactly what it decided on. */
            if (getpeername(fd, (struct sockaddr *) &peer, &len) == 0 && ntohs(peer.sin_port) == granted_port) {
                talked += exchange(fd);
            }
        } else {
            refused++;
        }
        close(fd);
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    printf("connected=%d refused=%d talked=%d\n", connected, refused, talked);
    return 0;
}

/* ---- parallel: many threads connect and talk at once ---- */
static int parallel_port, parallel_each;
static atomic_int parallel_ok;

static void *parallel_worker(void *unused) {
    (void) unused;
    struct sockaddr_in a = loopback("127.0.0.1", parallel_port);
    for (int i = 0; i < parallel_each; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *) &a, sizeof a) == 0 && exchange(fd)) {
            atomic_fetch_add(&parallel_ok, 1);
        }
        close(fd);
    }
    return NULL;
}

static int parallel(int threads) {
    pthread_t t[64];
    if (threads > 64) {
        threads = 64;
    }
    for (int i = 0; i < threads; i++) {
        pthread_create(&t[i], NULL, parallel_worker, NULL);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
    }
    printf("ok=%d\n", atomic_load(&parallel_ok));
    return 0;
}

/* ---- swap: another thread closes and dup2s over the descriptor while connect is pending ---- */
static atomic_int victim;

static void *swapper(void *unused) {
    (void) unused;
    int null = open("/dev/null", O_RDONLY);
    while (!atomic_load(&stop)) {
        int fd = atomic_load(&victim);
        if (fd > 2) {
            dup2(null, fd);
            close(fd);
        }
    }
    return NULL;
}

static int swap(int port, int rounds) {
    pthread_t t;
    pthread_create(&t, NULL, swapper, NULL);
    struct sockaddr_in a = loopback("127.0.0.1", port);
    int connected = 0;
    for (int i = 0; i < rounds; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        atomic_store(&victim, fd);
        if (connect(fd, (struct sockaddr *) &a, sizeof a) == 0) {
            connected++;
        }
        atomic_store(&victim, -1);
        close(fd);
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    /* The supervisor still answers afterwards. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int after = connect(fd, (struct sockaddr *) &a, sizeof a) == 0 && exchange(fd);
    printf("survived=1 connected=%d after=%d\n", connected, after);
    return 0;
}

/* ---- stall: one thread's connect to a granted port never completes (a full accept queue); another
 * connect, to another granted port, must still be answered; then the script exits mid-connect ---- */
static int stall_port;

static void *staller(void *unused) {
    (void) unused;
    struct sockaddr_in a = loopback("127.0.0.1", stall_port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    connect(fd, (struct sockaddr *) &a, sizeof a); /* pending until the script exits */
    return NULL;
}

static int stall(int stalled, int port) {
    stall_port = stalled;
    pthread_t t;
    pthread_create(&t, NULL, staller, NULL);
    usleep(300 * 1000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct sockaddr_in a = loopback("127.0.0.1", port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int other = connect(fd, (struct sockaddr *) &a, sizeof a) == 0 && exchange(fd);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    printf("other=%d other_ms=%ld\n", other, ms);
    _exit(0); /* the stalled connect is still pending: the supervisor must give it up */
}

/* ---- compat: 32-bit socketcall and connect through int $0x80 from 64-bit code ---- */
static long int80(long nr, long a, long b, long c) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

static int compat(int port, const char *unix_path) {
    /* 32-bit calls can only pass pointers below 4 GiB. */
    char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) {
        printf("mmap=failed\n");
        return 1;
    }
    struct sockaddr_in *in = (struct sockaddr_in *) low;
    *in = loopback("127.0.0.1", port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    long direct = int80(362 /* i386 connect */, fd, (long) in, sizeof *in);
    unsigned int *args = (unsigned int *) (low + 512);
    args[0] = (unsigned int) fd;
    args[1] = (unsigned int) (unsigned long) in;
    args[2] = sizeof *in;
    long viaSocketcall = int80(102 /* socketcall */, 3 /* SYS_CONNECT */, (long) args, 0);
    struct sockaddr_un *un = (struct sockaddr_un *) (low + 1024);
    memset(un, 0, sizeof *un);
    un->sun_family = AF_UNIX;
    strncpy(un->sun_path, unix_path, sizeof un->sun_path - 1);
    int ufd = socket(AF_UNIX, SOCK_STREAM, 0);
    long unixDirect = int80(362, ufd, (long) un, sizeof *un);
    long uring = int80(425 /* io_uring_setup */, 1, (long) (low + 2048), 0);
    printf("connect32=%ld socketcall=%ld unix32=%ld uring32=%ld\n", direct, viaSocketcall, unixDirect, uring);
    return 0;
}

/* ---- io_uring from 64-bit code ---- */
static int uring(void) {
    char params[120];
    memset(params, 0, sizeof params);
    long r = syscall(425 /* io_uring_setup */, 1, params);
    printf("uring=%ld errno=%d\n", r, r < 0 ? errno : 0);
    return 0;
}

/* ---- nonblocking connect keeps O_NONBLOCK and works with poll ---- */
static int nonblocking(int port) {
    struct sockaddr_in a = loopback("127.0.0.1", port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(fd, (struct sockaddr *) &a, sizeof a);
    int in_progress = r < 0 && errno == EINPROGRESS;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int ready = poll(&p, 1, 5000);
    int error = -1;
    socklen_t len = sizeof error;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    int nonblock = (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
    int cloexec = (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
    /* Blocking again for the exchange. */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    int talked = exchange(fd);
    printf("connect=%d inprogress=%d ready=%d soerror=%d nonblock=%d cloexec=%d talked=%d\n", r, in_progress, ready,
            error, nonblock, cloexec, talked);
    int fd2 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    connect(fd2, (struct sockaddr *) &a, sizeof a);
    printf("cloexec2=%d\n", (fcntl(fd2, F_GETFD) & FD_CLOEXEC) != 0);
    return 0;
}

/* ---- TCP fast open: sendto with MSG_FASTOPEN names a destination too ---- */
static int fastopen(int granted, int forbidden) {
    struct sockaddr_in g = loopback("127.0.0.1", granted), f = loopback("127.0.0.1", forbidden);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    long bad = sendto(fd, "ping", 4, MSG_FASTOPEN, (struct sockaddr *) &f, sizeof f);
    int bad_errno = errno;
    close(fd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    long good = sendto(fd, "ping", 4, MSG_FASTOPEN, (struct sockaddr *) &g, sizeof g);
    char buf[4];
    int talked = good == 4 && read(fd, buf, 4) == 4 && memcmp(buf, "PING", 4) == 0;
    printf("forbidden=%ld errno=%d granted=%ld talked=%d\n", bad, bad_errno, good, talked);
    return 0;
}

/* ---- UDP: sendto and sendmsg with an address, to a granted and a forbidden port ---- */
static int udp(int granted, int forbidden) {
    struct sockaddr_in g = loopback("127.0.0.1", granted), f = loopback("127.0.0.1", forbidden);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    long bad = sendto(fd, "ping", 4, 0, (struct sockaddr *) &f, sizeof f);
    int bad_errno = errno;
    long good = sendto(fd, "ping", 4, 0, (struct sockaddr *) &g, sizeof g);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4];
    long reply = recv(fd, buf, 4, 0);
    struct iovec iov = {.iov_base = "ping", .iov_len = 4};
    struct msghdr m = {.msg_name = &f, .msg_namelen = sizeof f, .msg_iov = &iov, .msg_iovlen = 1};
    long badmsg = sendmsg(fd, &m, 0);
    printf("forbidden=%ld errno=%d granted=%ld reply=%ld forbiddenmsg=%ld\n", bad, bad_errno, good, reply, badmsg);
    return 0;
}

/* ---- unix: connect to a path socket ---- */
static int unix_connect(const char *path) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    int r = connect(fd, (struct sockaddr *) &a, sizeof a);
    printf("unix=%d errno=%d\n", r, r < 0 ? errno : 0);
    if (r == 0) {
        printf("talked=%d\n", exchange(fd));
    }
    return 0;
}

int main(int argc, char **argv) {
    alarm(50);
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: routes MODE ARGS\n");
        return 2;
    }
    const char *m = argv[1];
    if (!strcmp(m, "race") && argc == 5) {
        granted_port = atoi(argv[2]);
        forbidden_port = atoi(argv[3]);
        return race(atoi(argv[4]));
    }
    if (!strcmp(m, "parallel") && argc == 5) {
        parallel_port = atoi(argv[2]);
        parallel_each = atoi(argv[4]);
        return parallel(atoi(argv[3]));
    }
    if (!strcmp(m, "swap") && argc == 4) return swap(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(m, "compat") && argc == 4) return compat(atoi(argv[2]), argv[3]);
    if (!strcmp(m, "uring")) return uring();
    if (!strcmp(m, "int80probe")) return int80(20 /* i386 getpid */, 0, 0, 0) > 0 ? 0 : 1;
    if (!strcmp(m, "nonblocking") && argc == 3) return nonblocking(atoi(argv[2]));
    if (!strcmp(m, "fastopen") && argc == 4) return fastopen(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(m, "udp") && argc == 4) return udp(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(m, "unix") && argc == 3) return unix_connect(argv[2]);
    if (!strcmp(m, "stall") && argc == 4) return stall(atoi(argv[2]), atoi(argv[3]));
    fprintf(stderr, "unknown mode %s\n", m);
    return 2;
}
