package dev.cordon.internal.runner;

import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.SandboxException;
import dev.cordon.spi.Capability;
import dev.cordon.spi.SandboxBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Refuses a grant the chosen backend cannot enforce: Cordon never widens a grant silently. */
final class GrantCheck {
    private GrantCheck() {
    }

    static void requireEnforceable(Grant grant, SandboxBackend backend) {
        if (backend.id().equals(Grant.NO_SANDBOX)) {
            return; // chosen by name: nothing is enforced, and the runner says so on every run
        }
        Set<Capability> can = backend.capabilities();
        List<String> problems = new ArrayList<>();
        NetworkAccess network = grant.network();
        if (network.mode() == NetworkAccess.Mode.NONE && !can.contains(Capability.NETWORK_DENY)) {
            problems.add("no network, but backend '" + backend.id() + "' cannot deny network access");
        }
        if (network.mode() == NetworkAccess.Mode.ROUTES && !can.contains(Capability.NETWORK_ROUTES)) {
            boolean loopbackOnly = network.routes().stream().allMatch(Route::isLoopback);
            if (!(loopbackOnly && can.contains(Capability.NETWORK_LOOPBACK_ROUTES))) {
                problems.add("crate '" + grant.crateName() + "' asks for routes " + network.routes()
                        + " but backend '" + backend.id() + "' can only grant all-or-nothing network"
                        + (can.contains(Capability.NETWORK_LOOPBACK_ROUTES) ? " (or loopback routes)" : "")
                        + "; to allow it full network, write network-access = { action = \"permit\" } "
                        + "without routes in [permissions.build." + grant.crateName() + "]");
            }
        }
        if (!grant.hidden().isEmpty() && !can.contains(Capability.HIDE_PATHS)) {
            problems.add("hidden paths, but backend '" + backend.id() + "' cannot hide paths");
        }
        if (!can.contains(Capability.WRITE_RESTRICTION)) {
            problems.add("write restriction, but backend '" + backend.id() + "' cannot restrict writes");
        }
        if (!can.contains(Capability.ENVIRONMENT)) {
            problems.add("a filtered environment, but backend '" + backend.id() + "' cannot set one");
        }
        if (grant.syscalls().required() && !can.contains(Capability.SYSCALL_FILTER)) {
            problems.add("a syscall filter ([sandbox] layers = [\"seccomp\"]), but backend '" + backend.id()
                    + "' cannot install one");
        }
        if (!problems.isEmpty()) {
            throw new SandboxException("the grant for crate '" + grant.crateName() + "' (policy "
                    + grant.policyName() + ") cannot be enforced:\n  " + String.join("\n  ", problems),
                    ExitCodes.UNENFORCEABLE);
        }
    }
}
