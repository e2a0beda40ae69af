package dev.cordon.internal.net;

import dev.cordon.Policies;
import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.SyscallFilter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The supervisor of one route-granted build-script run on Linux: it holds the seccomp
 * user-notification listener of the sandbox and connects on the script's behalf.
 *
 * <p>Use around one run:
 *
 * <pre>{@code
 * try (RouteBroker broker = RouteBroker.start(invocation, grant, routeFilter)) {
 *     ExecutionPlan wrapped = broker.wrap(plan, false); // prefixes cordon-netjail's "connect" step
 *     ... spawn wrapped.command() and wait ...
 *     broker.denials();                           // for the audit record and the failure message
 * }
 * }</pre>
 *
 * <p>{@link #start} resolves the routes, writes the sandbox's {@code /etc/hosts}, and listens on a Unix
 * socket in a private 0700 directory under {@code java.io.tmpdir} (which the sandbox cannot see: it
 * has its own {@code /tmp}). A thread of a shared pool then takes the first connection (from
 * {@code cordon-netjail connect}, outside the sandbox), sends the filter program down it, receives the
 * listener that {@code cordon-netjail install} created inside the sandbox, and answers notifications until
 * every process of the sandbox has exited or {@link #close()} is called.
 *
 * <p>The answers, for every call the filter hands over (the address is read from the script's memory
 * once, decided on that copy, and only that copy is ever used; the notification id is checked after
 * every read):
 * <ul>
 * <li>IPv4/IPv6 TCP or UDP to a granted address and port: a socket of the same family, type and protocol
 *     is created and connected in the host's network namespace, given the script's {@code O_NONBLOCK}
 *     and close-on-exec, and installed at the script's descriptor number
 *     ({@code SECCOMP_IOCTL_NOTIF_ADDFD} with {@code SETFD}); the call returns 0 (a non-blocking
 *     connect succeeds at once rather than with {@code EINPROGRESS}). A datagram with an address is
 *     sent from such a socket.</li>
 * <li>Any other Internet destination, and sockets of other families than Unix ones: {@code EACCES}.</li>
 * <li>Unix sockets: abstract and unnamed addresses belong to the sandbox's own network namespace and are
 *     connected as asked; a path socket only when it lies under {@code OUT_DIR}, the temporary directory
 *     or a writable path of the grant, resolved inside the sandbox's root; else {@code EACCES}.</li>
 * <li>{@code sendto}/{@code sendmsg}/{@code sendmmsg} without an address: sent on the script's own socket
 *     by the supervisor, with {@code SCM_RIGHTS} descriptors carried over and {@code SCM_CREDENTIALS}
 *     refused ({@code EPERM}): the supervisor's credentials are not the script's.</li>
 * </ul>
 * It never lets a call continue ({@code SECCOMP_USER_NOTIF_FLAG_CONTINUE}): the script could change the
 * address between the check and the kernel's own read.
 */
public final class RouteBroker implements AutoCloseable {
    private static final long NOTIF_RECV = 0xC0502100L;
    private static final int NOTIF_SIZE = 80;
    private static final int SOCKADDR_MAX = 128;
    private static final int UIO_MAXIOV = 1024;
    /** The most a supervised send copies at once; a stream send is cut to it (a short write), a datagram refused. */
    private static final long MAX_SEND = 1 << 20;
    private static final int MAX_CONTROL = 64 * 1024;
    private static final int MAX_DENIALS = 100;
    /** Threads answering notifications of one run, at most. */
    private static final int RECEIVERS = 4;
    /**
     * The threads every broker of the process runs on, kept between runs: starting a broker's threads, and ending
     * them as the script exits, took CPU time from the sandbox's own start and end on a small machine (about
     * 2 ms of a route-granted run on 2 cores, timed by the plan daemon and the script's clock). Platform threads:
     * the receivers block in native calls, which would pin a virtual thread's carrier anyway.
     */
    private static final java.util.concurrent.ExecutorService THREADS =
            java.util.concurrent.Executors.newCachedThreadPool(task -> {
                Thread t = new Thread(task, "cordon-route-broker");
                t.setDaemon(true);
                return t;
            });

    /**
     * A destination the supervisor refused.
     *
     * @param destination what the script tried to reach: {@code 10.0.0.1:443} or {@code unix:/path}
     * @param protocol {@code tcp}, {@code udp} or {@code unix}
     * @param fix the policy line that would allow it
     */
    public record Denial(String destination, String protocol, String fix) {
    }

    private final String crate;
    private final RunnerInvocation.Kind kind;
    private final RouteTable routes;
    private final List<Path> unixAllowed;
    private final byte[] filter;
    private final Path helper;
    private final Path socketPath;
    private final AtomicInteger server = new AtomicInteger(-1);
    private final long hostNetns;
    private final List<Denial> denials = new CopyOnWriteArrayList<>();
    /** What went wrong inside the supervisor itself: told to the user with the run's outcome (a daemon's stderr is its log). */
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong answered = new AtomicLong();
    /** Counted down when the hand-shake and every receiver of this run are over. */
    private final java.util.concurrent.CountDownLatch over = new java.util.concurrent.CountDownLatch(1);
    /** The receivers started besides the first, one more for each notification until there are enough; guarded by itself. */
    private final List<java.util.concurrent.Future<?>> moreReceivers = new ArrayList<>();
    private boolean noMoreReceivers;
    private volatile boolean closed;
    private volatile boolean finished;
    private final java.util.concurrent.locks.ReentrantLock receiving = new java.util.concurrent.locks.ReentrantLock();
    private volatile int listener = -1;

    private RouteBroker(RunnerInvocation invocation, Grant grant, SyscallFilter routeFilter) throws IOException {
        this.crate = grant.crateName();
        this.kind = invocation.kind();
        this.routes = RouteTable.resolve(grant.network().routes());
        List<Path> unix = new ArrayList<>();
        invocation.outDir().ifPresent(unix::add);
        unix.add(grant.temporaryDirectory());
        unix.addAll(grant.writable());
        this.unixAllowed = unix.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.filter = routeFilter.program();
        this.helper = RouteLayout.helper();
        Path hosts = RouteLayout.hostsFile(grant);
        byte[] names = routes.hostsFile().getBytes(StandardCharsets.UTF_8);
        // Rewritten only when it changed: truncating and rewriting a file costs ext4 a flush (about 0.4 ms
        // here), on every run of the crate. When it is rewritten, a new file is renamed into place: a run of the
        // same crate in parallel may be reading the old one, and a link left at the path is replaced, never
        // followed (the runner may be root).
        if (!Files.isRegularFile(hosts, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || !java.util.Arrays.equals(Files.readAllBytes(hosts), names)) {
            Files.createDirectories(hosts.getParent());
            Path fresh = hosts.resolveSibling(hosts.getFileName() + "." + ProcessHandle.current().pid() + "."
                    + Thread.currentThread().threadId() + ".tmp");
            try {
                Files.deleteIfExists(fresh); // left by a runner killed here; a link is removed, not followed
                Files.write(fresh, names, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                Files.move(fresh, hosts, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(fresh);
            }
        }
        this.socketPath = BrokerSockets.next();
        int fd = -1;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
            check(fd, "socket");
            MemorySegment address = SocketAddresses.unix(arena, socketPath.toString());
            check(Libc.bind(fd, address, (int) address.byteSize()), "bind " + socketPath);
            check(Libc.listen(fd, 4), "listen");
            this.hostNetns = Libc.longOption(arena, fd, Libc.SOL_SOCKET, Libc.SO_NETNS_COOKIE);
            this.server.set(fd);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            deleteSocket();
            throw e;
        }
        THREADS.execute(this::run);
    }

    /**
     * Starts supervising one run: resolves the grant's routes, writes the sandbox's {@code /etc/hosts}
     * ({@link RouteLayout#hostsFile}), listens for {@code cordon-netjail} and answers on threads of a pool
     * shared by every broker of the process.
     *
     * @param invocation the run's invocation ({@code OUT_DIR} allows Unix sockets under it)
     * @param grant the run's grant; its network must be {@link NetworkAccess.Mode#ROUTES}
     * @param routeFilter the notification filter ({@link dev.cordon.spi.SyscallFilterCompiler#routeFilter()})
     * @return the running broker; close it after the run
     * @throws SandboxException with {@link ExitCodes#UNENFORCEABLE} when routes cannot be enforced here
     */
    public static RouteBroker start(RunnerInvocation invocation, Grant grant, SyscallFilter routeFilter) {
        Objects.requireNonNull(routeFilter, "routeFilter");
        if (grant.network().mode() != NetworkAccess.Mode.ROUTES) {
            throw new IllegalArgumentException("crate '" + grant.crateName() + "' has network "
                    + grant.network().describe() + ", not routes: no route broker is needed");
        }
        try {
            return new RouteBroker(invocation, grant, routeFilter);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SandboxException s) {
                throw s;
            }
            throw new SandboxException("cannot start the network-route supervisor for crate '" + grant.crateName()
                    + "': " + e.getMessage(), ExitCodes.UNENFORCEABLE, e);
        }
    }

    /**
     * {@return whether {@code plan} runs its command under {@code cordon-netjail install} and needs a broker
     * (the helper's {@code drop} step, a root runner's switch to the sandbox user, needs none)}
     */
    public static boolean isNeededBy(ExecutionPlan plan) {
        return installStep(plan.command()) >= 0;
    }

    /** {@return where {@code cordon-netjail install} starts in a command, or -1} */
    private static int installStep(List<String> command) {
        for (int i = 0; i + 1 < command.size(); i++) {
            if (command.get(i).equals(RouteLayout.SANDBOX_HELPER) && command.get(i + 1).equals("install")) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Gives the plan its connection to this broker at the descriptor {@code FD} that the plan's
     * {@code cordon-netjail install FD} step reads: made by the spawner itself when it can
     * ({@link ExecutionPlan.Descriptor#connectedTo}; the plan daemon's client does it between fork and exec),
     * else by a {@code cordon-netjail connect SOCKET FD --} step, outside the sandbox, in front of the command.
     *
     * @param plan a plan for which {@link #isNeededBy} holds
     * @param spawnerConnects whether the spawner makes {@link ExecutionPlan.ConnectedSocket} descriptors
     * @return the plan to spawn
     */
    public ExecutionPlan wrap(ExecutionPlan plan, boolean spawnerConnects) {
        List<String> command = plan.command();
        int at = installStep(command); // a bind that puts it there, and a root runner's drop step, may come too
        if (at < 0 || at + 2 >= command.size()) {
            throw new IllegalArgumentException("the plan does not start its command under "
                    + RouteLayout.SANDBOX_HELPER + " install FD: " + command);
        }
        String fd = command.get(at + 2);
        if (spawnerConnects) {
            List<ExecutionPlan.Descriptor> descriptors = new ArrayList<>(plan.descriptors());
            descriptors.add(ExecutionPlan.Descriptor.connectedTo(Integer.parseInt(fd), socketPath));
            return new ExecutionPlan(plan.backendId(), command, plan.environment(), plan.workingDirectory(),
                    descriptors, plan.files(), plan.notes(), plan.handover());
        }
        List<String> wrapped = new ArrayList<>(List.of(helper.toString(), "connect", socketPath.toString(), fd,
                "--"));
        wrapped.addAll(command);
        return new ExecutionPlan(plan.backendId(), wrapped, plan.environment(), plan.workingDirectory(),
                plan.descriptors(), plan.files(), plan.notes(), plan.handover());
    }

    /** {@return the destinations refused so far (at most 100), in order} */
    public List<Denial> denials() {
        return List.copyOf(denials);
    }

    /** {@return how many notifications were answered so far} */
    public long answered() {
        return answered.get();
    }

    /**
     * {@return the refusals as lines for a failure explanation, each naming the policy line that allows
     * it, or empty when nothing was refused}
     */
    public Optional<String> explanation() {
        if (denials.isEmpty() && routes.unresolved().isEmpty() && failures.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder();
        for (String failure : failures) {
            out.append(failure).append('\n');
        }
        for (Denial d : denials) {
            out.append("crate '").append(crate).append("' tried to connect to ").append(d.destination())
                    .append(" (").append(d.protocol()).append(", refused with EACCES); to allow it, in ")
                    .append(Policies.tableHeader(kind, crate)).append(": ").append(d.fix()).append('\n');
        }
        for (String route : routes.unresolved()) {
            out.append("route ").append(route).append(" of crate '").append(crate)
                    .append("' did not resolve when the build script started, so it allowed nothing\n");
        }
        return Optional.of(out.toString().stripTrailing());
    }

    /** Stops answering: calls still waiting fail with {@code ENOSYS}, as the kernel does when the listener closes. */
    @Override
    public void close() {
        closed = true;
        try {
            over.await(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(server.getAndSet(-1));
        int l = listener;
        if (l >= 0 && over.getCount() == 0) {
            listener = -1;
            closeQuietly(l);
        }
        deleteSocket();
    }

    private void run() {
        try {
            int l = Handshake.take(server, () -> closed, filter, this::deleteSocket);
            if (l < 0) {
                return;
            }
            listener = l;
            serve(l);
        } catch (RuntimeException e) {
            failures.add("the network-route supervisor of crate '" + crate + "' failed, so its connections were"
                    + " refused: " + e);
        } finally {
            int l = listener;
            if (l >= 0) {
                listener = -1;
                closeQuietly(l);
            }
            over.countDown();
        }
    }

    /**
     * Answers notifications on up to {@value #RECEIVERS} threads (this one, and one more for each notification
     * until there are enough), each receiving and answering in turn: no hand-off between threads on the way,
     * and a connect that takes long (a far host) holds one receiver while the others go on. A script that
     * never connects costs no thread but this one.
     */
    private void serve(int l) {
        receive(l);
        List<java.util.concurrent.Future<?>> started;
        synchronized (moreReceivers) {
            noMoreReceivers = true;
            started = List.copyOf(moreReceivers);
        }
        for (java.util.concurrent.Future<?> receiver : started) {
            try {
                receiver.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add("a receiver of the network-route supervisor of crate '" + crate + "' failed: "
                        + e.getCause());
            }
        }
    }

    /** Starts one more receiver, unless there are enough or the run is over. */
    private void addReceiver(int l) {
        synchronized (moreReceivers) {
            if (!noMoreReceivers && moreReceivers.size() < RECEIVERS - 1) {
                moreReceivers.add(THREADS.submit(() -> receive(l)));
            }
        }
    }

    /**
     * One receiver: takes the receiving turn, waits for and reads one notification, hands the turn on,
     * answers. Only one thread waits in the kernel at a time, because a {@code NOTIF_RECV} does not
     * return when the last process under the filter exits; {@code poll} reports that ({@code POLLHUP}).
     */
    private void receive(int l) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment notification = arena.allocate(NOTIF_SIZE, 8);
            while (!closed && !finished) {
                try {
                    if (!receiving.tryLock(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                try {
                    if (closed || finished) {
                        return;
                    }
                    int revents = Libc.poll(arena, l, Libc.POLLIN, 200);
                    if (revents == 0 || revents == -Libc.EINTR) {
                        continue;
                    }
                    if (revents < 0 || (revents & Libc.POLLIN) == 0) {
                        finished = true; // POLLHUP: every process under the filter has exited
                        return;
                    }
                    notification.fill((byte) 0); // the kernel refuses a RECV buffer that is not zeroed
                    int r = Libc.ioctl(l, NOTIF_RECV, notification);
                    if (r == -Libc.ENOENT || r == -Libc.EINTR) {
                        continue; // the caller died or was interrupted before we read it
                    }
                    if (r < 0) {
                        finished = true;
                        return;
                    }
                } finally {
                    receiving.unlock();
                }
                addReceiver(l);
                answer(l, notification);
            }
        }
    }

    private void answer(int l, MemorySegment notification) {
        long id = notification.get(ValueLayout.JAVA_LONG, 0);
        try (Arena arena = Arena.ofConfined()) {
            Notification call = new Notification(arena, l, id, notification.get(ValueLayout.JAVA_INT, 8),
                    notification.get(ValueLayout.JAVA_INT, 16), notification.asSlice(32, 48));
            long result;
            try {
                result = new Supervised(this, call).answer();
            } finally {
                call.close();
            }
            Notification.reply(arena, l, id, result);
        } catch (RuntimeException e) {
            try (Arena arena = Arena.ofConfined()) {
                Notification.reply(arena, l, id, -Libc.EACCES);
            }
            failures.add("the network-route supervisor of crate '" + crate + "' failed on a call, which was refused"
                    + " with EACCES: " + e);
        }
        answered.incrementAndGet();
    }

    /** {@return whether {@link #close()} was called: a call still being answered is given up} */
    boolean isClosed() {
        return closed;
    }

    void deny(String destination, String protocol, String fix) {
        if (denials.size() < MAX_DENIALS) {
            denials.add(new Denial(destination, protocol, fix));
        }
    }

    RouteTable routes() {
        return routes;
    }

    List<Path> unixAllowed() {
        return unixAllowed;
    }

    long hostNetns() {
        return hostNetns;
    }

    static long maxSend() {
        return MAX_SEND;
    }

    static int maxControl() {
        return MAX_CONTROL;
    }

    static int sockaddrMax() {
        return SOCKADDR_MAX;
    }

    static int maxMessages() {
        return UIO_MAXIOV;
    }

    void deleteSocket() {
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            // a leftover socket in our 0700 directory: harmless, removed with it
        }
    }

    static void closeQuietly(int fd) {
        if (fd >= 0) {
            Libc.close(fd);
        }
    }

    private static void check(int result, String what) throws IOException {
        if (result < 0) {
            throw new IOException(what + " failed with errno " + -result);
        }
    }
}
