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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The {@code macos} backend: runs a build script as {@code /usr/bin/sandbox-exec -f <profile> <program>}
 * with a Seatbelt profile written from the grant (see {@link ProfileWriter} for the rules).
 *
 * <p>It enforces: no network, or only loopback ports, or all of IP; writes only to the granted paths;
 * hidden paths (the grant's and macOS's own credential stores, {@link MacPaths#platformSecrets}); the
 * grant's environment, with the caches of clang and Go pointed into the private temporary directory. It
 * cannot keep the script from seeing that other processes of the user exist, nor kill what it leaves
 * running, and it cannot install syscall filters, so it declares neither
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

    /**
     * Caches that tools keep under {@code ~/Library/Caches} or the per-user cache folder by default, which
     * the sandbox does not let them write: each is pointed into the private temporary directory (issue 17).
     */
    static final Map<String, String> PRIVATE_CACHES = Map.of("CLANG_MODULE_CACHE_PATH", "clang-module-cache",
            "GOCACHE", "go-build");

    /** What {@code sandbox-exec} prints when the runner itself already runs inside a Seatbelt sandbox. */
    static final String NESTED_SANDBOX = "sandbox_apply: Operation not permitted";

    private final String osName;
    private final Predicate<Path> isExecutable;
    private final MacPaths paths;
    private final Path fallbackProfileDirectory;
    private final Optional<Path> runnerHome;

    /** Creates the backend for this machine (the {@link java.util.ServiceLoader} constructor). */
    public SeatbeltBackend() {
        this(System.getProperty("os.name", ""), Files::isExecutable,
                isMac(System.getProperty("os.name", "")) ? MacPaths.fileSystem() : MacPaths.stringRulesOnly(),
                Path.of(System.getProperty("java.io.tmpdir"), "cordon-profiles"),
                Optional.ofNullable(System.getProperty("user.home")).filter(h -> h.startsWith("/")).map(Path::of));
    }

    SeatbeltBackend(String osName, Predicate<Path> isExecutable, MacPaths paths, Path fallbackProfileDirectory) {
        this(osName, isExecutable, paths, fallbackProfileDirectory, Optional.empty());
    }

    SeatbeltBackend(String osName, Predicate<Path> isExecutable, MacPaths paths, Path fallbackProfileDirectory,
            Optional<Path> runnerHome) {
        this.osName = osName;
        this.isExecutable = isExecutable;
        this.paths = paths;
        this.fallbackProfileDirectory = fallbackProfileDirectory.toAbsolutePath().normalize();
        this.runnerHome = runnerHome;
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
     * @throws SandboxException with {@link ExitCodes#UNENFORCEABLE} for a route Seatbelt cannot express
     *     exactly (any host but localhost, 127.0.0.1 and ::1), a syscall filter, or a path SBPL cannot hold
     *     (source mode COPY needs nothing here: the runner makes the copy and grants it writable); with
     *     {@link ExitCodes#SANDBOX_FAILED} when no profile location outside the writable paths exists
     */
    @Override
    public ExecutionPlan plan(RunnerInvocation invocation, Grant grant, Optional<SyscallFilter> syscallFilter) {
        if (syscallFilter.isPresent()) {
            throw new SandboxException("backend 'macos' cannot install syscall filters (" + syscallFilter.get()
                    .description() + "); Seatbelt has no seccomp. Drop [syscalls] for crate '" + grant.crateName()
                    + "' or run on Linux with the bwrap backend.", ExitCodes.UNENFORCEABLE);
        }
        ProfileWriter.Profile profile = new ProfileWriter(paths, MacPaths.platformSecrets(homes(invocation)))
                .profile(invocation, grant);
        Path profilePath = profileLocation(invocation, grant);
        List<String> notes = new ArrayList<>(profile.notes());
        ExecutionPlan.Builder plan = ExecutionPlan.builder(ID, invocation.workingDirectory())
                .command(List.of(SANDBOX_EXEC.toString(), "-f", profilePath.toString()))
                .command(invocation.command())
                .environment(environment(invocation, grant, notes))
                .file(new ExecutionPlan.PlanFile(profilePath, profile.text().getBytes(StandardCharsets.UTF_8)));
        notes.forEach(plan::note);
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
     * {@inheritDoc}
     *
     * <p>Recognises a runner that itself runs inside a Seatbelt sandbox (macOS does not let a sandboxed
     * process apply another profile), and a profile this macOS refused to compile.
     */
    @Override
    public Optional<String> explainFailure(RunnerInvocation invocation, Grant grant, int exitStatus,
            String stderrTail) {
        if (exitStatus == 0) {
            return Optional.empty();
        }
        if (stderrTail.contains(NESTED_SANDBOX)) {
            return Optional.of("cordon: the Seatbelt sandbox for crate '" + grant.crateName() + "' could not start:"
                    + " Cordon itself already runs inside a macOS sandbox (a sandboxed terminal, IDE, agent or"
                    + " another sandbox-exec), and macOS does not let a sandboxed process apply a second profile"
                    + " (sandbox-exec: " + NESTED_SANDBOX + "). The build script did not run. Run cargo outside"
                    + " that sandbox; Cordon will not run the script unsandboxed unless a policy names"
                    + " [sandbox] backend = \"none\".");
        }
        for (String line : stderrTail.split("\n")) {
            if (line.startsWith("sandbox-exec: ")) {
                return Optional.of("cordon: this macOS refused the Seatbelt profile for crate '" + grant.crateName()
                        + "' (" + line.strip() + "), so the build script did not run. The profile is generated;"
                        + " please report this message with your macOS version (sw_vers) to Cordon.");
            }
        }
        return Optional.empty();
    }

    /** The invocation's {@code HOME} and the runner's own home, when they are absolute paths. */
    private List<Path> homes(RunnerInvocation invocation) {
        List<Path> homes = new ArrayList<>();
        Optional.ofNullable(invocation.environment().get("HOME")).filter(h -> h.startsWith("/"))
                .map(h -> Path.of(h).normalize()).ifPresent(homes::add);
        runnerHome.map(Path::normalize).filter(h -> !homes.contains(h)).ifPresent(homes::add);
        return homes;
    }

    /**
     * The grant's environment, with {@code TMPDIR} set when it is missing, and each of
     * {@link #PRIVATE_CACHES} pointed into the temporary directory unless it already names a writable
     * place. The defaults ({@code ~/Library/Caches}, {@code getconf DARWIN_USER_CACHE_DIR}) are not
     * writable in the sandbox, and must not be: the unsandboxed compiler and linker Cargo runs afterwards
     * read them.
     */
    private Map<String, String> environment(RunnerInvocation invocation, Grant grant, List<String> notes) {
        Map<String, String> env = new LinkedHashMap<>(grant.environment());
        Path tmp = grant.temporaryDirectory().toAbsolutePath().normalize();
        env.putIfAbsent("TMPDIR", tmp.toString());
        List<Path> writable = new ArrayList<>(grant.writable());
        writable.add(tmp);
        invocation.outDir().ifPresent(writable::add);
        for (Map.Entry<String, String> cache : new TreeMap<>(PRIVATE_CACHES).entrySet()) {
            String value = env.get(cache.getKey());
            boolean usable = absolutePath(value)
                    .filter(p -> writable.stream().anyMatch(w -> paths.isWithin(p, w))).isPresent();
            if (!usable) {
                String replacement = tmp.resolve(cache.getValue()).toString();
                if (value != null) {
                    notes.add(cache.getKey() + "='" + SbplStrings.printable(value) + "' is not writable in the"
                            + " sandbox; the script gets " + cache.getKey() + "='" + replacement + "'");
                }
                env.put(cache.getKey(), replacement);
            }
        }
        return env;
    }

    private static Optional<Path> absolutePath(String value) {
        try {
            return value != null && value.startsWith("/") ? Optional.of(Path.of(value).normalize()) : Optional.empty();
        } catch (java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
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
