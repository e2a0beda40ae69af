package dev.cordon.sandbox.macos.internal;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.Jobserver;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.SyscallFilter;
import dev.cordon.spi.Availability;
import dev.cordon.spi.Capability;
import dev.cordon.spi.SandboxBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The {@code macos} backend: runs a build script as {@code /usr/bin/sandbox-exec -f <profile> <program>}
 * with a Seatbelt profile written from the grant (see {@link ProfileWriter} for the rules).
 *
 * <p>It enforces: no network, or only loopback ports, or all of it; writes only to the granted paths;
 * hidden paths; the exact environment. It cannot keep the script from seeing other processes of the
 * user, and it cannot install syscall filters, so it declares neither
 * {@link Capability#PROCESS_ISOLATION} nor {@link Capability#SYSCALL_FILTER}.
 */
public final class SeatbeltBackend implements SandboxBackend {

    /** The backend id. */
    public static final String ID = "macos";

    /** Where macOS ships the tool; never looked up on {@code PATH}, which the user controls. */
    static final Path SANDBOX_EXEC = Path.of("/usr/bin/sandbox-exec");

    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.NETWORK_DENY,
            Capability.NETWORK_LOOPBACK_ROUTES, Capability.WRITE_RESTRICTION, Capability.HIDE_PATHS,
            Capability.ENVIRONMENT));

    private final String osName;
    private final Predicate<Path> isExecutable;
    private final MacPaths paths;
    private final Path fallbackProfileDirectory;

    /** Creates the backend for this machine (the {@link java.util.ServiceLoader} constructor). */
    public SeatbeltBackend() {
        this(System.getProperty("os.name", ""), Files::isExecutable,
                isMac(System.getProperty("os.name", "")) ? MacPaths.fileSystem() : MacPaths.stringRulesOnly(),
                Path.of(System.getProperty("java.io.tmpdir"), "cordon-profiles"));
    }

    SeatbeltBackend(String osName, Predicate<Path> isExecutable, MacPaths paths, Path fallbackProfileDirectory) {
        this.osName = osName;
        this.isExecutable = isExecutable;
        this.paths = paths;
        this.fallbackProfileDirectory = fallbackProfileDirectory.toAbsolutePath().normalize();
    }

    private static boolean isMac(String osName) {
        return osName.toLowerCase(Locale.ROOT).startsWith("mac");
    }

    @Override
    public String id() {
        return ID;
    }

    /** {@return 100, like Cordon's other backends; only one of them is available on any one OS} */
    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        if (!isMac(osName)) {
            return Availability.unavailable("sandbox-exec is macOS only (this is " + osName
                    + "); on Linux use the bwrap backend");
        }
        if (!isExecutable.test(SANDBOX_EXEC)) {
            return Availability.unavailable(SANDBOX_EXEC + " is missing or not executable; it ships with"
                    + " macOS, so restore it (or pick another backend with [sandbox] backend = \"...\")");
        }
        return Availability.available();
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    /**
     * {@inheritDoc}
     *
     * @throws SandboxException with {@link ExitCodes#UNENFORCEABLE} for a non-loopback route, a syscall
     *     filter, or a path SBPL cannot hold (source mode COPY needs nothing here: the runner makes the
     *     copy and grants it writable); with
     *     {@link ExitCodes#SANDBOX_FAILED} when no profile location outside the writable paths exists
     */
    @Override
    public ExecutionPlan plan(RunnerInvocation invocation, Grant grant, Optional<SyscallFilter> syscallFilter) {
        if (syscallFilter.isPresent()) {
            throw new SandboxException("backend 'macos' cannot install syscall filters (" + syscallFilter.get()
                    .description() + "); Seatbelt has no seccomp. Drop [syscalls] for crate '" + grant.crateName()
                    + "' or run on Linux with the bwrap backend.", ExitCodes.UNENFORCEABLE);
        }
        String profile = new ProfileWriter(paths).write(invocation, grant);
        Path profilePath = profileLocation(invocation, grant);
        ExecutionPlan.Builder plan = ExecutionPlan.builder(ID, invocation.workingDirectory())
                .command(List.of(SANDBOX_EXEC.toString(), "-f", profilePath.toString()))
                .command(invocation.command())
                .environment(grant.environment())
                .file(new ExecutionPlan.PlanFile(profilePath, profile.getBytes(StandardCharsets.UTF_8)));
        Optional<Jobserver> jobserver = invocation.jobserver();
        for (int fd : jobserver.map(Jobserver::descriptors).orElse(List.of())) {
            plan.descriptor(ExecutionPlan.Descriptor.inherited(fd));
        }
        jobserver.flatMap(Jobserver::fifo).ifPresent(fifo -> plan.note("jobserver fifo '"
                + SbplStrings.printable(fifo.toString())
                + "' is not writable in the sandbox: the build script runs its jobs one at a time"));
        plan.note("Seatbelt does not isolate processes: the script can see (not signal) the user's other"
                + " processes, and what it leaves running is not killed by the sandbox");
        return plan.build();
    }

    /**
     * Where the profile goes: beside the temporary directory ({@code <tmp>.sb}), which is not itself
     * writable by the script; if the grant makes that place writable, a per-user directory instead. A
     * profile the script could replace (for example with a symbolic link) would let it redirect the
     * runner's next write, so a place inside a writable path is never used.
     */
    private Path profileLocation(RunnerInvocation invocation, Grant grant) {
        Path tmp = grant.temporaryDirectory().toAbsolutePath().normalize();
        String name = tmp.getFileName() == null ? "cordon.sb" : tmp.getFileName() + ".sb";
        List<Path> candidates = List.of(tmp.resolveSibling(name),
                fallbackProfileDirectory.resolve(grant.crateName().replaceAll("[^A-Za-z0-9_.-]", "_") + "-"
                        + Integer.toHexString(tmp.toString().hashCode()) + ".sb"));
        List<Path> writablePaths = new ArrayList<>(grant.writable());
        writablePaths.add(tmp);
        invocation.outDir().ifPresent(writablePaths::add);
        for (Path candidate : candidates) {
            boolean writable = writablePaths.stream().anyMatch(w -> paths.isWithin(candidate, w));
            if (!writable) {
                return candidate;
            }
        }
        throw new SandboxException("every place for the Seatbelt profile of crate '" + grant.crateName()
                + "' is writable by the build script (" + candidates + "); grant narrower writable paths.",
                ExitCodes.SANDBOX_FAILED);
    }
}
