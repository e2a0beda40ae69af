package dev.cordon.sandbox.seccomp;

import dev.cordon.ExitCodes;
import dev.cordon.NetworkAccess;
import dev.cordon.SandboxException;
import dev.cordon.SyscallFilter;
import dev.cordon.SyscallRules;
import dev.cordon.sandbox.seccomp.internal.Architecture;
import dev.cordon.sandbox.seccomp.internal.FilterEmitter;
import dev.cordon.sandbox.seccomp.internal.RouteFilterEmitter;
import dev.cordon.sandbox.seccomp.internal.RuleResolver;
import dev.cordon.spi.Availability;
import dev.cordon.spi.SyscallFilterCompiler;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Compiles {@link SyscallRules} into a seccomp-BPF program in pure Java, for the architecture of the
 * running JVM (x86_64 or aarch64 Linux).
 *
 * <p>The program is a deny-list: calls no rule names are allowed, the sandbox's namespaces being the
 * first wall. It kills the process when the calling convention is not the expected one (a 32-bit or
 * x32 call would use other numbers), and otherwise refuses with an errno (EPERM, ENOSYS for calls libc
 * should fall back from, EAFNOSUPPORT for network sockets without network), so a build script sees a
 * clean error instead of dying. Profiles: {@code default} and {@code off}; with no network the filter
 * also refuses every socket family except {@code AF_UNIX} and {@code AF_NETLINK}.
 *
 * <p>{@link SyscallFilter#program()} is the kernel's {@code struct sock_filter[]}, 8 bytes per
 * instruction, little-endian: what {@code bwrap --seccomp FD} reads from the file descriptor, or what
 * {@code prctl(PR_SET_SECCOMP)} takes after a {@code struct sock_fprog} header.
 *
 * <p>Thread-safe and stateless; discovered through {@link java.util.ServiceLoader} with id
 * {@value #ID}.
 *
 * @since 0.1
 */
public final class SeccompFilterCompiler implements SyscallFilterCompiler {
    /** The provider id. */
    public static final String ID = "seccomp";

    private final String osName;
    private final String osArch;

    /** Creates a compiler for the running JVM's operating system and architecture. */
    public SeccompFilterCompiler() {
        this(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    SeccompFilterCompiler(String osName, String osArch) {
        this.osName = Objects.requireNonNull(osName, "osName");
        this.osArch = Objects.requireNonNull(osArch, "osArch");
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Available on Linux on x86_64 and aarch64.
     */
    @Override
    public Availability availability() {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Availability.unavailable("seccomp is a Linux kernel feature; this JVM runs on '" + osName
                    + "': use a backend without the seccomp layer (e.g. macos)");
        }
        if (architecture().isEmpty()) {
            return Availability.unavailable("seccomp filters are compiled for x86_64 and aarch64; this JVM"
                    + " runs on '" + osArch + "': drop the seccomp layer ([sandbox] layers) on this machine");
        }
        return Availability.available();
    }

    /**
     * {@inheritDoc}
     *
     * @throws SandboxException with {@link ExitCodes#SANDBOX_UNAVAILABLE} when
     *     {@linkplain #availability() unavailable}
     */
    @Override
    public SyscallFilter compile(SyscallRules rules, NetworkAccess network) {
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(network, "network");
        Availability availability = availability();
        if (!availability.isAvailable()) {
            throw new SandboxException(availability.reason(), ExitCodes.SANDBOX_UNAVAILABLE);
        }
        return FilterEmitter.compile(RuleResolver.resolve(architecture().orElseThrow(), rules, network));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Empty when {@linkplain #availability() unavailable}.
     */
    @Override
    public Optional<SyscallFilter> routeFilter() {
        if (!availability().isAvailable()) {
            return Optional.empty();
        }
        return Optional.of(ROUTE_FILTERS.computeIfAbsent(architecture().orElseThrow(), RouteFilterEmitter::compile));
    }

    /**
     * The route filter depends on nothing but the architecture: compiled once per process (per daemon), not on
     * every route-granted run. A {@link SyscallFilter}'s program is copied out on every read, so sharing it is safe.
     */
    private static final java.util.Map<Architecture, SyscallFilter> ROUTE_FILTERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private Optional<Architecture> architecture() {
        return Architecture.fromOsArch(osArch);
    }
}
