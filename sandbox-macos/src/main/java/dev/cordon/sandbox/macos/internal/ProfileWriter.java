package dev.cordon.sandbox.macos.internal;

import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the Seatbelt (SBPL) profile for one grant.
 *
 * <p>SBPL rules are last-match-wins: when several rules match an operation, the one written last
 * decides. The profile is therefore written in this order, and the order is part of the contract:
 * deny everything; allow what every build script needs; allow reading everywhere; allow writing the
 * granted paths; the network; and last the denials for hidden paths, so that hiding beats every allow
 * written before it.
 */
final class ProfileWriter {

    /**
     * Mach services every build script may look up, each with the reason. Kept small: each one is a
     * door to a daemon outside the sandbox.
     */
    private static final List<String[]> MACH_SERVICES = List.of(
            new String[] {"com.apple.system.opendirectoryd.libinfo",
                "user and group lookups (getpwuid, getgrgid): whoami, id, xcrun, Rust's home_dir fallback"},
            new String[] {"com.apple.system.notification_center",
                "notify(3): libc's time-zone code and other system libraries watch for changes through it"});

    /** Mach services added with the full network: resolver configuration and TLS trust evaluation. */
    private static final List<String[]> NETWORK_MACH_SERVICES = List.of(
            new String[] {"com.apple.SystemConfiguration.DNSConfiguration",
                "the DNS resolver configuration, for getaddrinfo"},
            new String[] {"com.apple.trustd.agent",
                "certificate trust evaluation for TLS through Security.framework"});

    private final MacPaths paths;

    ProfileWriter(MacPaths paths) {
        this.paths = paths;
    }

    /**
     * Writes the profile.
     *
     * @param invocation the call
     * @param grant what it may do
     * @return the profile text, ending in a newline; never null
     * @throws SandboxException when a route is not loopback or a path cannot be written as SBPL
     */
    String write(RunnerInvocation invocation, Grant grant) {
        StringBuilder out = new StringBuilder();
        out.append(";; Cordon Seatbelt profile for crate '").append(safeComment(grant.crateName()))
                .append("'. Generated: do not edit.\n");
        out.append(";; SBPL rules are last-match-wins: the hidden-path denials at the end beat every allow.\n");
        out.append("(version 1)\n");
        out.append("(deny default)\n");

        out.append("\n;; Processes: run programs and fork; signal only processes inside this sandbox.\n");
        out.append("(allow process-exec)\n");
        out.append("(allow process-fork)\n");
        out.append("(allow signal (target same-sandbox))\n");
        out.append(";; Kernel facts (hw.ncpu, kern.osproductversion, ...) read by rustc, cc and make.\n");
        out.append("(allow sysctl-read)\n");
        out.append("\n;; Mach services, each a door to a daemon outside the sandbox.\n");
        appendMachServices(out, MACH_SERVICES);

        out.append("\n;; Reading: everything, except the hidden paths denied at the end.\n");
        out.append("(allow file-read*)\n");
        for (Path readable : grant.readable()) {
            out.append(";; readable (covered by the rule above; hidden paths still win): ")
                    .append(SbplStrings.quote(readable.toString(), "readable path")).append('\n');
        }

        out.append("\n;; Writing: only the granted paths.\n");
        for (WritableRule rule : writableRules(invocation, grant)) {
            out.append(";; ").append(rule.why()).append('\n');
            for (String form : paths.forms(rule.path())) {
                out.append("(allow file-write* (subpath ")
                        .append(SbplStrings.quote(form, rule.why())).append("))\n");
            }
        }
        out.append(";; Devices: discarding output, and the caller's own open descriptors.\n");
        out.append("(allow file-write* (literal \"/dev/null\"))\n");
        out.append("(allow file-write* (subpath \"/dev/fd\"))\n");
        out.append(";; dyld registers DTrace probes here at every start; a denial would log a violation"
                + " per process.\n");
        out.append("(allow file-write* file-ioctl (literal \"/dev/dtracehelper\"))\n");

        appendNetwork(out, grant);

        if (!grant.hidden().isEmpty()) {
            out.append("\n;; Hidden: not readable, writable or executable. Last, so they win over every allow.\n");
            for (Path hidden : grant.hidden()) {
                out.append("(deny file-read* file-write* process-exec");
                for (String form : paths.forms(hidden)) {
                    String quoted = SbplStrings.quote(form, "hidden path");
                    MacPaths.Kind kind = paths.kind(hidden);
                    if (kind != MacPaths.Kind.DIRECTORY) {
                        out.append(" (literal ").append(quoted).append(')');
                    }
                    if (kind != MacPaths.Kind.FILE) {
                        out.append(" (subpath ").append(quoted).append(')');
                    }
                }
                out.append(")\n");
            }
        }
        return out.toString();
    }

    private record WritableRule(Path path, String why) {
    }

    /** OUT_DIR, the temporary directory, then the grant's writable paths, each once. */
    private static List<WritableRule> writableRules(RunnerInvocation invocation, Grant grant) {
        List<WritableRule> rules = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        Optional<Path> outDir = invocation.outDir().map(p -> p.toAbsolutePath().normalize());
        outDir.filter(seen::add).ifPresent(p -> rules.add(new WritableRule(p, "OUT_DIR")));
        Path tmp = grant.temporaryDirectory().toAbsolutePath().normalize();
        if (seen.add(tmp)) {
            rules.add(new WritableRule(tmp, "temporary directory (TMPDIR)"));
        }
        for (Path writable : grant.writable()) {
            if (seen.add(writable)) {
                rules.add(new WritableRule(writable, "writable path granted by the policy"));
            }
        }
        return rules;
    }

    private static void appendNetwork(StringBuilder out, Grant grant) {
        NetworkAccess network = grant.network();
        switch (network.mode()) {
            case NONE -> out.append("\n;; Network: none (denied by default, DNS included).\n");
            case ALL -> {
                out.append("\n;; Network: all of it.\n");
                out.append("(allow network*)\n");
                out.append(";; Creating sockets is checked apart from using them.\n");
                out.append("(allow system-socket)\n");
                appendMachServices(out, NETWORK_MACH_SERVICES);
            }
            case ROUTES -> {
                Set<Integer> ports = new LinkedHashSet<>();
                for (Route route : network.routes()) {
                    if (!route.isLoopback()) {
                        throw new SandboxException("crate '" + grant.crateName() + "' may connect to route '"
                                + route + "', but backend 'macos' (Seatbelt) can only limit connections to"
                                + " loopback ports (localhost, 127.0.0.1, ::1). Allow the crate all network"
                                + " (network-access = { action = \"permit\" }) or use the bwrap backend.",
                                ExitCodes.UNENFORCEABLE);
                    }
                    ports.add(route.port());
                }
                out.append("\n;; Network: only these loopback routes: ").append(safeComment(String.valueOf(network.routes())))
                        .append(".\n");
                out.append(";; Seatbelt's \"localhost\" stands for every loopback address, IPv4 and IPv6.\n");
                out.append(";; Creating sockets is checked apart from connecting them.\n");
                out.append("(allow system-socket)\n");
                for (int port : ports) {
                    out.append("(allow network-outbound (remote ip \"localhost:").append(port).append("\"))\n");
                }
            }
        }
    }

    private static void appendMachServices(StringBuilder out, List<String[]> services) {
        for (String[] service : services) {
            out.append(";; ").append(service[1]).append('\n');
            out.append("(allow mach-lookup (global-name ").append(SbplStrings.quote(service[0], "Mach service"))
                    .append("))\n");
        }
    }

    /** Keeps a comment on one line: crate names and routes need no other characters. */
    private static String safeComment(String text) {
        return text.replaceAll("[^A-Za-z0-9_.+:,\\[\\] -]", "_");
    }
}
