package dev.cordon.internal.runner;

import dev.cordon.BackendChoice;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.PolicyException;
import dev.cordon.PolicyViolation;
import dev.cordon.Route;
import dev.cordon.SandboxException;
import dev.cordon.internal.text.PolicyTables;
import dev.cordon.spi.Capability;
import dev.cordon.spi.SandboxBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Refuses a grant the chosen backend cannot enforce: Cordon never widens a grant silently. */
final class GrantCheck {
    private GrantCheck() {
    }

    /**
     * Refuses a grant that lets the script write the policy it runs under: it could rewrite its own
     * permissions, and every later script of the build would run under them. Applies to every backend, and to
     * a policy file as much as to a Cargo manifest holding the policy (a package granting
     * {@code $CARGO_MANIFEST_DIR} in a project whose policy is its own {@code [package.metadata.cordon]}).
     *
     * @param grant the grant, final
     * @param policyFile the file the policy was read from, if any
     * @param keyPrefix where the policy's tables start in that file ({@code workspace.metadata.cordon.}, or empty)
     * @param kind {@code build} or {@code run}
     * @throws PolicyException with {@link ExitCodes#INVALID_POLICY} naming the file, the crate and the path
     */
    static void requirePolicyUnwritable(Grant grant, java.util.Optional<java.nio.file.Path> policyFile,
            String keyPrefix, String kind) {
        if (policyFile.isEmpty()) {
            return;
        }
        java.nio.file.Path file = real(policyFile.get());
        for (java.nio.file.Path writable : grant.writable()) {
            java.nio.file.Path dir = real(writable);
            if (file.startsWith(dir)) {
                String keyPath = dev.cordon.internal.policy.reading.KeyPath.crateTable(keyPrefix + "permissions."
                        + kind, grant.crateName()) + ".filesystem-access";
                int[] at = locate(policyFile.get(), keyPath);
                throw new PolicyException(List.of(new PolicyViolation(policyFile, at[0], at[1], keyPath, "crate '" + grant.crateName()
                        + "' may write " + writable + ", which holds this policy: its script could rewrite its own"
                        + " permissions and those of every script after it", "permit a narrower path (e.g."
                        + " \"$CARGO_MANIFEST_DIR/generated\"), or let it write a private copy of its package with"
                        + " source = \"copy\", or keep the policy outside what the crate may write")),
                        ExitCodes.INVALID_POLICY);
            }
        }
    }

    /**
     * Where a key path is written in the policy file (the crate's {@code filesystem-access}, else the nearest
     * table that is written, e.g. {@code [permissions.build]} when the permit is a default); {0, 0} when the
     * file cannot be read. Only on this refusal: the run path never reads the text.
     */
    private static int[] locate(java.nio.file.Path file, String keyPath) {
        try {
            return dev.cordon.internal.policy.reading.KeyLocator.scan(java.nio.file.Files.readString(file))
                    .locate(keyPath);
        } catch (java.io.IOException | RuntimeException e) {
            return new int[] {0, 0};
        }
    }

    /** The real path when it exists (a link must not hide the policy), else the path as given. */
    private static java.nio.file.Path real(java.nio.file.Path path) {
        try {
            return path.toRealPath();
        } catch (java.io.IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }

    static void requireEnforceable(Grant grant, SandboxBackend backend) {
        if (backend.id().equals(BackendChoice.NONE.id())) {
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
                        + "without routes in " + PolicyTables.header(PolicyTables.BUILD, grant.crateName()));
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
