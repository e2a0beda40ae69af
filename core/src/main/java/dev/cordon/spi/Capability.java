package dev.cordon.spi;

/**
 * What a {@link SandboxBackend} can enforce. The runner compares a grant with these before planning:
 * a grant that needs a capability the backend lacks is refused, never silently widened.
 *
 * @since 0.1
 */
public enum Capability {
    /** Can deny all network access. */
    NETWORK_DENY,
    /** Can allow only listed routes, to any host. */
    NETWORK_ROUTES,
    /** Can allow only listed routes when every route is a loopback address. */
    NETWORK_LOOPBACK_ROUTES,
    /** Can make the filesystem read-only except for granted paths. */
    WRITE_RESTRICTION,
    /** Can hide paths so the script cannot read them. */
    HIDE_PATHS,
    /** Can give the script exactly the grant's environment. */
    ENVIRONMENT,
    /** Can keep the script from seeing or signalling other processes, and kill what it leaves. */
    PROCESS_ISOLATION,
    /** Can install a {@link dev.cordon.SyscallFilter}. */
    SYSCALL_FILTER
}
