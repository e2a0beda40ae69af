package dev.cordon.sandbox.bwrap.internal;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.internal.net.RouteLayout;
import java.util.List;
import java.util.Set;

/**
 * The Bubblewrap side of network routes (issue 13): the sandbox keeps its own, empty network namespace,
 * and its command starts under {@code cordon-netjail install FD}, which installs the route filter whose
 * listener a supervisor outside holds ({@link dev.cordon.internal.net.RouteBroker}). The plan binds the
 * helper at {@value RouteLayout#SANDBOX_HELPER} and the generated {@code /etc/hosts} (the names of the
 * grant's name routes, nothing else), and reserves the descriptor the supervisor connection arrives on.
 */
final class RouteJail {
    private RouteJail() {
    }

    /** {@return whether the grant needs the route jail} */
    static boolean applies(Grant grant) {
        return grant.network().mode() == NetworkAccess.Mode.ROUTES;
    }

    /**
     * Adds the binds; {@return the command prefix for after {@code --}, empty when the grant has no routes}
     *
     * @param plan the plan being built
     * @param options bwrap's options, where the binds go
     * @param grant the grant
     * @param used descriptor numbers the plan already hands over
     */
    static List<String> addTo(ExecutionPlan.Builder plan, List<String> options, Grant grant, Set<Integer> used) {
        if (!applies(grant)) {
            return List.of();
        }
        int fd = 3;
        while (used.contains(fd)) {
            fd++;
        }
        used.add(fd);
        options.addAll(List.of("--ro-bind", RouteLayout.helper().toString(), RouteLayout.SANDBOX_HELPER));
        options.addAll(List.of("--ro-bind", RouteLayout.hostsFile(grant).toString(), "/etc/hosts"));
        plan.note("network routes " + grant.network().routes() + ": exactly these addresses and ports (TCP and UDP),"
                + " connected on the script's behalf by the supervisor outside the sandbox, which keeps its own empty"
                + " network namespace; any other destination fails with EACCES; Unix sockets only under OUT_DIR, the"
                + " temporary directory and writable paths; /etc/hosts holds only the routes' names;"
                + " io_uring and 32-bit socket calls are refused; supervisor connection on descriptor " + fd);
        return RouteLayout.sandboxPrefix(fd);
    }
}
