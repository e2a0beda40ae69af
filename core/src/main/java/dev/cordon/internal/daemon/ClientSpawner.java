package dev.cordon.internal.daemon;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.SandboxException;
import dev.cordon.internal.exec.Child;
import dev.cordon.internal.exec.ChildSetup;
import dev.cordon.internal.exec.Spawner;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts plans through the thin client on the other end of a daemon connection: the client forks and
 * execs (it holds Cargo's descriptors), and the daemon's {@link dev.cordon.internal.exec.Supervisor} reads
 * the script's output from the client's pipe ends, opened through {@code /proc/<client pid>/fd}.
 */
final class ClientSpawner implements Spawner {
    private final SocketChannel channel;
    private final long clientPid;
    private final CompletableFuture<List<java.nio.file.Path>> joined;
    private volatile boolean started;

    /**
     * @param channel the client's connection
     * @param clientPid the client's pid
     * @param joined the cgroups the daemon is moving the client into while the run is decided (empty when none)
     */
    ClientSpawner(SocketChannel channel, long clientPid, CompletableFuture<List<java.nio.file.Path>> joined) {
        this.channel = channel;
        this.clientPid = clientPid;
        this.joined = joined;
    }

    @Override
    public List<java.nio.file.Path> joinedCgroups() {
        try {
            return joined.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return List.of(); // not joined: the client's child joins the run's own cgroups itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    @Override
    public Child start(ExecutionPlan plan, ChildSetup setup) {
        List<String> exec = new ArrayList<>(List.of("EXEC", plan.workingDirectory().toString()));
        DaemonProtocol.addList(exec, plan.command());
        DaemonProtocol.addEnvironment(exec, plan.environment());
        exec.add(Integer.toString(plan.descriptors().size()));
        for (ExecutionPlan.Descriptor d : plan.descriptors()) {
            if (d.source() instanceof ExecutionPlan.ReadFile r) {
                exec.addAll(List.of("R", Integer.toString(d.number()), r.file().toString()));
            } else if (d.source() instanceof ExecutionPlan.Inherited i) {
                exec.addAll(List.of("I", Integer.toString(d.number()), Integer.toString(i.runnerNumber())));
            } else if (d.source() instanceof ExecutionPlan.ConnectedSocket c) {
                exec.addAll(List.of("U", Integer.toString(d.number()), c.socket().toString()));
            } else {
                throw new IllegalStateException("unknown descriptor source " + d.source());
            }
        }
        List<String> cgroups = new ArrayList<>();
        for (java.nio.file.Path procs : setup.cgroupProcs()) {
            cgroups.add(procs.toString());
        }
        DaemonProtocol.addList(exec, cgroups);
        exec.add(Long.toString(setup.openFiles().orElse(-1)));
        started = true;
        try {
            DaemonProtocol.send(channel, exec);
            DaemonProtocol.Reader in = new DaemonProtocol.Reader(DaemonProtocol.receive(channel)
                    .orElseThrow(() -> new IOException("the client went away before starting the script")));
            String kind = in.next();
            if (kind.equals("FAILED")) {
                throw new SandboxException(in.next(), ExitCodes.SANDBOX_FAILED);
            }
            if (!kind.equals("STARTED")) {
                throw new IOException("unexpected client message '" + kind + "'");
            }
            long pid = Long.parseLong(in.next());
            InputStream out = open(in.number());
            InputStream err = open(in.number());
            return new ClientChild(pid, out, err);
        } catch (IOException | IllegalArgumentException e) {
            throw new SandboxException("the plan daemon's client could not start the build script: "
                    + e.getMessage(), ExitCodes.SANDBOX_FAILED, e);
        }
    }

    /** The client connects a plan's Unix sockets itself, between fork and exec: no helper process. */
    @Override
    public boolean connectsUnixSockets() {
        return true;
    }

    /** {@return whether a plan was sent to the client} */
    boolean started() {
        return started;
    }

    private InputStream open(int fd) throws IOException {
        if (fd < 3) {
            throw new IOException("bad pipe descriptor " + fd);
        }
        return new FileInputStream("/proc/" + clientPid + "/fd/" + fd);
    }

    private final class ClientChild implements Child {
        private final long pid;
        private final InputStream out;
        private final InputStream err;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        ClientChild(long pid, InputStream out, InputStream err) {
            this.pid = pid;
            this.out = out;
            this.err = err;
            Thread.ofVirtual().name("cordon-client-exit").start(this::readExit);
        }

        private void readExit() {
            try {
                Optional<List<String>> message = DaemonProtocol.receive(channel);
                if (message.isPresent()) {
                    DaemonProtocol.Reader in = new DaemonProtocol.Reader(message.get());
                    if (in.next().equals("EXITED")) {
                        exit.complete(in.number());
                        return;
                    }
                }
                exit.complete(ExitCodes.INTERNAL);
            } catch (IOException | RuntimeException e) {
                exit.complete(ExitCodes.INTERNAL);
            }
        }

        @Override
        public InputStream stdout() {
            return out;
        }

        @Override
        public InputStream stderr() {
            return err;
        }

        @Override
        public Optional<ProcessHandle> process() {
            return exit.isDone() ? Optional.empty() : ProcessHandle.of(pid);
        }

        @Override
        public Optional<Integer> waitFor(long nanos) throws InterruptedException {
            try {
                return Optional.of(nanos == Long.MAX_VALUE ? exit.get() : exit.get(nanos, TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                return Optional.empty();
            } catch (ExecutionException e) {
                return Optional.of(ExitCodes.INTERNAL);
            }
        }

        @Override
        public void kill() {
            // The client is the parent: only it knows whether the pid is still its child's.
            if (!exit.isDone()) {
                // Its descendants are alive while it is, so their pids are theirs: kill them from here.
                ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
                try {
                    DaemonProtocol.send(channel, List.of("KILL"));
                } catch (IOException e) {
                    // the client is gone, and its child with it (bwrap --die-with-parent)
                }
            }
        }
    }
}
