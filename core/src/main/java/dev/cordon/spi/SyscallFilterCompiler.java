package dev.cordon.spi;

import dev.cordon.NetworkAccess;
import dev.cordon.SyscallFilter;
import dev.cordon.SyscallRules;

/**
 * Compiles a grant's {@link SyscallRules} into a {@link SyscallFilter} for this machine's architecture.
 * The {@code sandbox-seccomp} module provides one; backends that declare
 * {@link Capability#SYSCALL_FILTER} install its output.
 *
 * @since 0.1
 */
public interface SyscallFilterCompiler {

    /** {@return the unique id, e.g. {@code "seccomp"}; never null} */
    String id();

    /** {@return whether filters can be compiled and installed here, with the reason when not} */
    Availability availability();

    /**
     * Compiles a filter.
     *
     * @param rules the profile and the syscalls added or removed
     * @param network the grant's network; with {@link NetworkAccess.Mode#NONE} the filter also refuses
     *     Internet and packet sockets
     * @return the filter; never null
     * @throws dev.cordon.PolicyException when the rules name an unknown syscall or profile
     */
    SyscallFilter compile(SyscallRules rules, NetworkAccess network);

    /**
     * The filter a grant with network routes needs on Linux: it hands every call that names a network
     * destination ({@code connect}, {@code sendto} with an address, {@code sendmsg}, {@code sendmmsg}) to
     * a supervisor through a seccomp user-notification listener, and refuses the calls that would bypass
     * it ({@code io_uring}, 32-bit socket calls).
     *
     * @return the filter, or empty when this compiler cannot make one (the default)
     * @since 0.2
     */
    default java.util.Optional<SyscallFilter> routeFilter() {
        return java.util.Optional.empty();
    }
}
