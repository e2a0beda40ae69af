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
 * granted paths; the network; and last the denials (set-id bits, hidden paths and their forms, renaming
 * the folders that hold a hidden path), so that they beat every allow written before them.
 *
 * <p>What each rule is for, and which finding of issue 17 it answers, is written into the profile as a
 * comment, so that a reviewer reads the reasons next to the rules.
 */
final class ProfileWriter {

    /** A profile and the remarks made while writing it. */
    record Profile(String text, List<String> notes) {
        /** Copies the notes. */
        Profile {
            notes = List.copyOf(notes);
        }
    }

    /** A rule part and why it is there. */
    private record Entry(String value, String why) {
    }

    /**
     * Mach services every build script may look up. Kept small: each one is a door to a daemon outside the
     * sandbox.
     */
    private static final List<Entry> MACH_SERVICES = List.of(
            new Entry("com.apple.system.opendirectoryd.libinfo",
                    "user and group lookups (getpwuid, getgrgid): whoami, id, xcrun, Rust's home_dir fallback"),
            new Entry("com.apple.system.opendirectoryd.membership",
                    "uid to UUID (mbr_uid_to_uuid): confstr needs it to name the per-user folders"),
            new Entry("com.apple.bsd.dirhelper",
                    "confstr(_CS_DARWIN_USER_TEMP_DIR/_CACHE_DIR), asked by xcrun and clang (the folders stay"
                            + " read-only)"),
            new Entry("com.apple.system.notification_center",
                    "notify(3): libc's time-zone code and other system libraries watch for changes through it"),
            new Entry("com.apple.cfprefsd.daemon",
                    "reading preferences through CoreFoundation (xcrun, xcodebuild); no user-preference-write"),
            new Entry("com.apple.cfprefsd.agent", "the same, for the user's own preferences"));

    /** Mach services added with the full network: resolver configuration and TLS trust evaluation. */
    private static final List<Entry> NETWORK_MACH_SERVICES = List.of(
            new Entry("com.apple.SystemConfiguration.DNSConfiguration",
                    "the DNS resolver configuration, for getaddrinfo"),
            new Entry("com.apple.trustd.agent", "certificate trust evaluation for TLS through Security.framework"));

    /**
     * The kernel facts a build reads (CPU count and features, OS version, limits), as an allow-list: an
     * unrestricted {@code sysctl-read} also answers {@code kern.procargs2}, the arguments and environment of
     * other processes of the user, Cargo's included (issue 17). Left out on purpose: {@code kern.procargs*},
     * {@code kern.proc.*} (the process table) and everything not named here.
     */
    private static final List<String> SYSCTL_PREFIXES = List.of("hw.", "machdep.cpu.");
    private static final List<String> SYSCTL_NAMES = List.of("kern.argmax", "kern.boottime", "kern.hostname",
            "kern.hv_vmm_present", "kern.iossupportversion", "kern.maxfiles", "kern.maxfilesperproc", "kern.maxproc",
            "kern.ngroups", "kern.osproductversion", "kern.osrelease", "kern.ostype", "kern.osvariant_status",
            "kern.osversion", "kern.secure_kernel", "kern.usrstack64", "kern.version", "machdep.ptrauth_enabled",
            "security.mac.lockdown_mode_state", "sysctl.proc_cputype", "sysctl.proc_native",
            "sysctl.proc_translated", "vm.loadavg");

    /** macOS's resolver daemon: {@code getaddrinfo} asks it over this Unix socket, even for localhost. */
    static final String RESOLVER_SOCKET = "/private/var/run/mDNSResponder";

    /** The hosts a loopback route may name; Seatbelt's {@code localhost} stands for exactly these. */
    static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "::1");

    private final MacPaths paths;
    private final List<Path> platformSecrets;

    /**
     * A writer that hides only the grant's hidden paths (and what {@code paths} finds inside them).
     *
     * @param paths the path forms
     */
    ProfileWriter(MacPaths paths) {
        this(paths, List.of());
    }

    /**
     * A writer that also hides the macOS secrets.
     *
     * @param paths the path forms
     * @param platformSecrets paths hidden on top of the grant's, see {@link MacPaths#platformSecrets}
     */
    ProfileWriter(MacPaths paths, List<Path> platformSecrets) {
        this.paths = paths;
        this.platformSecrets = List.copyOf(platformSecrets);
    }

    /**
     * Writes the profile text.
     *
     * @param invocation the call
     * @param grant what it may do
     * @return the profile text, ending in a newline; never null
     * @throws SandboxException when a route cannot be expressed or a path cannot be written as SBPL
     */
    String write(RunnerInvocation invocation, Grant grant) {
        return profile(invocation, grant).text();
    }

    /**
     * Writes the profile and collects remarks for the plan.
     *
     * @param invocation the call
     * @param grant what it may do
     * @return the profile; never null
     * @throws SandboxException when a route cannot be expressed or a path cannot be written as SBPL
     */
    Profile profile(RunnerInvocation invocation, Grant grant) {
        List<String> notes = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        out.append(";; Cordon Seatbelt profile for crate '").append(safeComment(grant.crateName()))
                .append("'. Generated: do not edit.\n");
        out.append(";; SBPL rules are last-match-wins: the denials at the end beat every allow.\n");
        out.append("(version 1)\n");
        out.append("(deny default)\n");

        out.append("\n;; Processes: run programs and fork; signal only processes inside this sandbox.\n");
        out.append("(allow process-exec)\n");
        out.append("(allow process-fork)\n");
        out.append("(allow signal (target same-sandbox))\n");
        out.append(";; Other processes' information (pidinfo, fds, ...) is not covered by (deny default): deny it,"
                + " then allow it for this sandbox's own processes.\n");
        out.append("(deny process-info*)\n");
        out.append("(allow process-info* (target same-sandbox))\n");
        out.append(";; Kernel facts read by rustc, cc and make, as an allow-list: an open sysctl-read answers"
                + " kern.procargs2,\n;; the arguments and environment of the user's other processes (Cargo's"
                + " tokens).\n");
        out.append("(allow sysctl-read");
        for (String prefix : SYSCTL_PREFIXES) {
            out.append("\n  (sysctl-name-prefix ").append(SbplStrings.quote(prefix, "sysctl")).append(')');
        }
        for (String name : SYSCTL_NAMES) {
            out.append("\n  (sysctl-name ").append(SbplStrings.quote(name, "sysctl")).append(')');
        }
        out.append(")\n");
        out.append("\n;; Mach services, each a door to a daemon outside the sandbox.\n");
        appendMachServices(out, MACH_SERVICES);
        out.append("(allow user-preference-read)\n");
        out.append(";; notify(3) reads its state from this shared memory (read-only).\n");
        out.append("(allow ipc-posix-shm-read* (ipc-posix-name \"apple.shm.notification_center\"))\n");

        out.append("\n;; Reading: everything, except the hidden paths denied at the end.\n");
        out.append("(allow file-read*)\n");
        for (Path readable : grant.readable()) {
            out.append(";; readable (covered by the rule above; hidden paths still win): ")
                    .append(SbplStrings.quote(readable.toString(), "readable path")).append('\n');
        }

        out.append("\n;; Writing: only the granted paths.\n");
        List<WritableRule> writable = writableRules(invocation, grant);
        for (WritableRule rule : writable) {
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

        appendNetwork(out, grant, notes);

        out.append("\n;; Set-user-id and set-group-id bits: never, not even in OUT_DIR (a root build's setuid file"
                + " would outlive the sandbox).\n");
        out.append("(deny file-write-setugid)\n");

        List<HiddenRule> hidden = hiddenRules(invocation, grant, writable, notes);
        if (!hidden.isEmpty()) {
            out.append("\n;; Hidden: not readable, writable, linkable or executable, in every form Seatbelt may see"
                    + " (as given,\n;; resolved, through /System/Volumes/Data, any case or Unicode normalisation)."
                    + " Last, so they win over every allow.\n");
            for (HiddenRule rule : hidden) {
                if (rule.why() != null) {
                    out.append(";; ").append(rule.why()).append('\n');
                }
                out.append("(deny file-read* file-write* file-link file-clone process-exec");
                MacPaths.Kind kind = paths.kind(rule.path());
                for (String form : paths.hiddenForms(rule.path())) {
                    String quoted = SbplStrings.quote(form, "hidden path");
                    if (kind != MacPaths.Kind.DIRECTORY) {
                        out.append(" (literal ").append(quoted).append(')');
                    }
                    if (kind != MacPaths.Kind.FILE) {
                        out.append(" (subpath ").append(quoted).append(')');
                    }
                    out.append(" (regex ").append(SbplStrings.quote(
                            SbplRegex.anySpelling(form, kind != MacPaths.Kind.FILE), "hidden path")).append(')');
                }
                out.append(")\n");
            }
            appendAncestorDenials(out, hidden, writable);
        }
        return new Profile(out.toString(), notes);
    }

    private record WritableRule(Path path, String why) {
    }

    /** A hidden path, and why it is hidden when the policy did not say so itself (null when it did). */
    private record HiddenRule(Path path, String why) {
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

    /**
     * The grant's hidden paths, then the macOS secrets, then where symbolic links inside any of them lead.
     * A link target that the build itself needs (an ancestor of the package, OUT_DIR, the temporary
     * directory, the program, a granted path, the home, the toolchain or a PATH entry) cannot be hidden
     * without breaking the build: it is left out with a note naming the link.
     */
    private List<HiddenRule> hiddenRules(RunnerInvocation invocation, Grant grant, List<WritableRule> writable,
            List<String> notes) {
        List<HiddenRule> rules = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Path path : grant.hidden()) {
            if (seen.add(path)) {
                rules.add(new HiddenRule(path, null));
            }
        }
        for (Path path : platformSecrets) {
            if (seen.add(path)) {
                rules.add(new HiddenRule(path, "macOS secret store (hidden by the macos backend)"));
            }
        }
        List<Path> needed = new ArrayList<>(List.of(invocation.manifestDir(), invocation.program()));
        writable.forEach(w -> needed.add(w.path()));
        needed.addAll(grant.readable());
        // The home, the toolchain and the PATH: a link to an ancestor of any of them cannot be hidden either.
        for (String name : List.of("HOME", "RUSTC", "CARGO", "RUSTDOC")) {
            absolute(grant.environment().get(name)).ifPresent(needed::add);
        }
        for (String dir : grant.environment().getOrDefault("PATH", "").split(":")) {
            absolute(dir).ifPresent(needed::add);
        }
        for (HiddenRule rule : List.copyOf(rules)) {
            MacPaths.Scan scan = paths.scan(rule.path());
            notes.addAll(scan.notes());
            for (Path target : scan.linkTargets()) {
                Path normal = target.toAbsolutePath().normalize();
                Optional<Path> need = needed.stream().filter(n -> paths.isWithin(n, normal)).findFirst();
                if (need.isPresent()) {
                    notes.add("a symbolic link inside hidden path '" + SbplStrings.printable(rule.path().toString())
                            + "' leads to '" + SbplStrings.printable(normal.toString()) + "', which the build needs ('"
                            + SbplStrings.printable(need.get().toString()) + "'): that target is not hidden");
                } else if (seen.add(normal)) {
                    rules.add(new HiddenRule(normal, "target of a symbolic link inside hidden path "
                            + SbplStrings.printable(rule.path().toString()).replace('\n', ' ')));
                }
            }
        }
        return rules;
    }

    private static Optional<Path> absolute(String value) {
        try {
            return value != null && value.startsWith("/") ? Optional.of(Path.of(value).normalize()) : Optional.empty();
        } catch (java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }

    /**
     * Renaming or removing a folder that holds a hidden path would move the secret to a name no denial
     * covers. Folders outside the writable paths cannot be renamed anyway; for those inside, deny
     * {@code file-write-unlink} (which also guards the source of a rename).
     */
    private void appendAncestorDenials(StringBuilder out, List<HiddenRule> hidden, List<WritableRule> writable) {
        Set<Path> ancestors = new LinkedHashSet<>();
        for (HiddenRule rule : hidden) {
            for (Path a = rule.path().getParent(); a != null && a.getParent() != null; a = a.getParent()) {
                Path ancestor = a;
                if (writable.stream().anyMatch(w -> paths.isWithin(ancestor, w.path()))) {
                    ancestors.add(ancestor);
                }
            }
        }
        if (ancestors.isEmpty()) {
            return;
        }
        out.append(";; Folders inside writable paths that hold a hidden path: not renamed or removed, which would"
                + " move the secret\n;; to a name no denial covers.\n");
        for (Path ancestor : ancestors) {
            out.append("(deny file-write-unlink");
            for (String form : paths.hiddenForms(ancestor)) {
                out.append(" (literal ").append(SbplStrings.quote(form, "folder of a hidden path")).append(')');
                out.append(" (regex ").append(SbplStrings.quote(SbplRegex.anySpelling(form, false),
                        "folder of a hidden path")).append(')');
            }
            out.append(")\n");
        }
    }

    private static void appendNetwork(StringBuilder out, Grant grant, List<String> notes) {
        NetworkAccess network = grant.network();
        switch (network.mode()) {
            case NONE -> out.append("\n;; Network: none (denied by default, DNS and Unix sockets included).\n");
            case ALL -> {
                out.append("\n;; Network: all of IP (TCP and UDP, IPv4 and IPv6), and name resolution. No Unix"
                        + " sockets: ssh-agent,\n;; gpg-agent, the Docker socket and every other local daemon stay"
                        + " closed.\n");
                out.append("(allow network-outbound (remote ip \"*:*\"))\n");
                out.append(";; receiving on IP sockets: UDP replies, a server the script starts itself.\n");
                out.append("(allow network-bind network-inbound (local ip \"*:*\"))\n");
                appendResolver(out);
                out.append(";; the interface list (getifaddrs) and routes, read by network libraries.\n");
                out.append("(allow sysctl-read (sysctl-name-prefix \"net.routetable.\"))\n");
                appendMachServices(out, NETWORK_MACH_SERVICES);
            }
            case ROUTES -> {
                Set<Integer> ports = new LinkedHashSet<>();
                boolean byName = false;
                for (Route route : network.routes()) {
                    requireExpressible(grant, route);
                    ports.add(route.port());
                    byName |= route.host().equals("localhost");
                }
                out.append("\n;; Network: only these loopback routes: ")
                        .append(safeComment(String.valueOf(network.routes()))).append(".\n");
                out.append(";; Seatbelt's \"localhost\" stands for 127.0.0.1 and ::1 (not other 127.x addresses, not"
                        + " ::ffff:127.0.0.1).\n");
                for (int port : ports) {
                    out.append("(allow network-outbound (remote ip \"localhost:").append(port).append("\"))\n");
                }
                if (byName) {
                    out.append(";; A route names 'localhost': macOS resolves even that name through"
                            + " mDNSResponder.\n");
                    appendResolver(out);
                    notes.add("a route names 'localhost', so the script may use the system resolver: it can look"
                            + " up any name (DNS queries leave the machine), though connections stay limited to"
                            + " the routes; write 127.0.0.1 or [::1] to keep DNS closed");
                }
            }
        }
    }

    private static void appendResolver(StringBuilder out) {
        out.append(";; the system resolver (getaddrinfo): its Unix socket and nothing else of AF_UNIX.\n");
        out.append("(allow system-socket (socket-domain AF_UNIX))\n");
        out.append("(allow network-outbound (remote unix-socket (path-literal \"").append(RESOLVER_SOCKET)
                .append("\")))\n");
    }

    /**
     * Seatbelt's {@code remote ip} filter names a host only as {@code localhost} (127.0.0.1 and ::1) or
     * {@code *} (every host). A route to anything else would have to be widened, which Cordon never does.
     */
    private static void requireExpressible(Grant grant, Route route) {
        if (LOOPBACK_HOSTS.contains(route.host())) {
            return;
        }
        String why = route.isLoopback()
                ? "Seatbelt's only name for a loopback host is 'localhost', which stands for 127.0.0.1 and ::1;"
                        + " " + route.host() + " cannot be named, and the only other choice, '*', is every host."
                        + " Connect to 127.0.0.1 instead"
                : "Seatbelt's remote-ip filter names no hosts but 'localhost' (127.0.0.1 and ::1) and '*' (every"
                        + " host), so the route would have to become every host. Allow the crate all network"
                        + " (network-access = { action = \"permit\" }) or use the bwrap backend, which enforces"
                        + " routes to any host";
        throw new SandboxException("crate '" + grant.crateName() + "' may connect to route '" + route
                + "', which backend 'macos' cannot enforce exactly: " + why + ".", ExitCodes.UNENFORCEABLE);
    }

    private static void appendMachServices(StringBuilder out, List<Entry> services) {
        for (Entry service : services) {
            out.append(";; ").append(service.why()).append('\n');
            out.append("(allow mach-lookup (global-name ").append(SbplStrings.quote(service.value(), "Mach service"))
                    .append("))\n");
        }
    }

    /** Keeps a comment on one line: crate names and routes need no other characters. */
    private static String safeComment(String text) {
        return text.replaceAll("[^A-Za-z0-9_.+:,\\[\\] -]", "_");
    }
}
