package dev.cordon.sandbox.bwrap.internal;

import dev.cordon.Policies;
import dev.cordon.Grant;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the end of a failed build script's stderr and says, when the sandbox is the likely cause, what
 * was denied, under which policy, and the exact policy lines that would allow it.
 *
 * <p>It recognises: writes refused on a read-only path ({@code EROFS}, {@code EACCES}) under the
 * package directory, {@code $HOME} or the target directory; reads of hidden paths; network errors
 * (unreachable network, failed name resolution, refused connections when the grant has no network);
 * and bwrap's own setup errors. It only reads the text it is given, so it is pure and cheap: the runner
 * calls it after a script fails, never on success.
 */
public final class DenialExplainer {

    private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![\\w.])(/[^\\s'\"`:;,()\\[\\]{}<>]+)");
    // The C/shell strerror text, errno names, Rust's Display ("os error 30") and Debug
    // ("Os { code: 30, kind: ReadOnlyFilesystem, .. }") forms, Python's "[Errno 30]".
    private static final List<String> WRITE_DENIED = List.of("read-only file system", "erofs", "os error 30",
            "code: 30,", "readonlyfilesystem", "[errno 30]", "permission denied", "eacces", "os error 13",
            "code: 13,", "kind: permissiondenied", "[errno 13]");
    private static final List<String> NOT_FOUND = List.of("no such file or directory", "enoent", "os error 2)",
            "code: 2,", "kind: notfound", "[errno 2]");
    private static final List<String> NETWORK = List.of("network is unreachable", "enetunreach", "os error 101",
            "temporary failure in name resolution", "name or service not known", "failed to lookup address",
            "could not resolve host", "eai_again", "dns error", "no address associated with hostname",
            "address family not supported", "os error 97");
    private static final List<String> REFUSED = List.of("connection refused", "econnrefused", "os error 111");

    private DenialExplainer() {
    }

    /**
     * Explains a failure.
     *
     * @param invocation what ran
     * @param grant what it was allowed
     * @param exitStatus the script's exit status ({@code 128 + signal} when killed)
     * @param stderrTail the last lines the script wrote to stderr (and, for Rust panics, stdout)
     * @return the explanation, or empty when the exit status is 0 or nothing points at the sandbox
     */
    public static Optional<String> explain(RunnerInvocation invocation, Grant grant, int exitStatus,
            String stderrTail) {
        if (exitStatus == 0 || stderrTail.isBlank()) {
            return Optional.empty();
        }
        String lower = stderrTail.toLowerCase(Locale.ROOT);
        List<String> parts = new ArrayList<>();
        sandboxSetup(stderrTail).ifPresent(parts::add);
        if (containsAny(lower, WRITE_DENIED)) {
            Optional<String> named = writeDenied(invocation, grant, stderrTail);
            if (named.isPresent()) {
                parts.add(named.get());
            } else if (paths(lines(stderrTail, WRITE_DENIED)).isEmpty()) {
                parts.add(unnamedWrite(invocation, grant)); // a path it may write would have been printed
            }
        }
        if (containsAny(lower, NOT_FOUND)) {
            hiddenRead(invocation, grant, stderrTail).or(() -> unnamedRead(invocation, grant)).ifPresent(parts::add);
        }
        boolean noNetwork = grant.network().mode() == dev.cordon.NetworkAccess.Mode.NONE;
        if (noNetwork && (containsAny(lower, NETWORK) || containsAny(lower, REFUSED))) {
            parts.add(network(invocation, grant));
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", parts));
    }

    private static Optional<String> sandboxSetup(String tail) {
        for (String line : tail.split("\n")) {
            if (line.startsWith("bwrap: ")) {
                return Optional.of("cordon: the bwrap sandbox could not be set up (" + line.strip() + "). "
                        + "Run `bwrap --unshare-all --unshare-user --ro-bind / / /bin/true` to reproduce; "
                        + "if user namespaces are blocked, see the backend's availability message for the fix.");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> writeDenied(RunnerInvocation invocation, Grant grant, String tail) {
        Path packageDir = invocation.manifestDir().toAbsolutePath().normalize();
        Optional<Path> home = Optional.ofNullable(BwrapPlanner.home(invocation.environment()));
        Optional<Path> target = invocation.targetDir();
        Set<Path> suggested = new LinkedHashSet<>();
        List<String> where = new ArrayList<>();
        boolean intoPackage = false;
        String writableHere = invocation.kind() == RunnerInvocation.Kind.MACRO ? "rustc's own outputs and $TMPDIR"
                : "OUT_DIR and $TMPDIR";
        for (Path path : paths(lines(tail, WRITE_DENIED))) {
            if (grant.writable().stream().anyMatch(path::startsWith)) {
                continue;
            }
            String area;
            // The target directory often lies inside the package directory: test the narrower one first.
            if (target.isPresent() && path.startsWith(target.get())) {
                area = "the target directory " + target.get() + " is read-only in the sandbox (only "
                        + (invocation.kind() == RunnerInvocation.Kind.MACRO ? "rustc's own outputs are" : "OUT_DIR is")
                        + " writable)";
            } else if (path.startsWith(packageDir)) {
                area = "the package directory " + packageDir + " is read-only in the sandbox";
                intoPackage = true;
            } else if (home.isPresent() && path.startsWith(home.get())) {
                area = "$HOME (" + home.get() + ") is an empty, read-only private directory in the sandbox, with "
                        + "the toolchain put back read-only";
            } else if (path.startsWith("/tmp") || path.startsWith("/var/tmp")) {
                area = "/tmp and /var/tmp are empty, read-only private directories in the sandbox (the script's "
                        + "own temporary directory is $TMPDIR)";
            } else if (grant.readable().stream().anyMatch(path::startsWith) || Files.exists(path)
                    || (path.getParent() != null && Files.isDirectory(path.getParent()))) {
                area = "everything outside " + writableHere + " is read-only in the sandbox";
            } else {
                continue;
            }
            // bwrap can only bind what exists: for a file still to be created, permit its folder.
            Path permit = Files.exists(path) || path.getParent() == null ? path : path.getParent();
            if (suggested.add(permit)) {
                where.add("  " + path + ": " + area);
            }
        }
        if (suggested.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder();
        boolean macro = invocation.kind() == RunnerInvocation.Kind.MACRO;
        out.append("cordon: ").append(who(invocation, grant))
                .append(" was refused a write under policy '").append(grant.policyName()).append("':\n");
        where.forEach(w -> out.append(w).append('\n'));
        out.append(macro ? "A proc macro should write nothing (rustc writes only its outputs). To allow it anyway, add"
                + " to the policy:\n" : "A build script should write only to OUT_DIR. To allow it anyway, add to the policy:\n");
        out.append(table(invocation)).append("filesystem-access = { action = \"permit\", paths = [");
        out.append(String.join(", ", suggested.stream().map(p -> quote(variables(invocation, p))).toList()));
        out.append("] }");
        if (intoPackage && !macro) {
            // Read-only source trees (Nix, Bazel, vendored) are the usual case: a private copy leaves the
            // original untouched, which a write permit would not.
            out.append("\nor let the script write a private copy of its package (the original stays untouched):\n")
                    .append(table(invocation)).append("source = \"copy\"");
        }
        return Optional.of(out.toString());
    }

    private static Optional<String> hiddenRead(RunnerInvocation invocation, Grant grant, String tail) {
        Set<Path> secrets = new LinkedHashSet<>();
        Set<Path> unseen = new LinkedHashSet<>();
        for (Path path : paths(lines(tail, NOT_FOUND))) {
            Optional<Path> hidden = grant.hidden().stream().filter(path::startsWith).findFirst();
            if (hidden.isPresent()) {
                secrets.add(hidden.get());
            } else if (Files.exists(path) && !visibleInSandbox(invocation, grant, path)) {
                // It exists here but the script got "not found": the sandbox does not show it.
                unseen.add(path);
            }
        }
        List<String> parts = new ArrayList<>();
        if (!secrets.isEmpty()) {
            parts.add("cordon: " + who(invocation, grant) + " tried to read "
                    + String.join(", ", secrets.stream().map(Path::toString).toList()) + ", hidden by policy '"
                    + grant.policyName() + "' because it holds credentials. Hiding beats every permit: if the "
                    + "crate truly needs it, remove the path from the policy's hidden list for this crate only.");
        }
        if (!unseen.isEmpty()) {
            parts.add("cordon: " + who(invocation, grant) + " could not see "
                    + String.join(", ", unseen.stream().map(Path::toString).toList()) + ": it exists on this "
                    + "machine, but the sandbox of policy '" + grant.policyName() + "' shows only the package "
                    + "directory, the target directory, the toolchain and the system outside $HOME and /tmp. "
                    + "To let it read them, add to the policy:\n" + table(invocation)
                    + "filesystem-access = { action = \"permit\", read = ["
                    + String.join(", ", unseen.stream().map(p -> quote(variables(invocation, p))).toList()) + "] }");
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", parts));
    }

    /**
     * "Not found" without a path the sandbox hides: when the rest of the workspace is invisible to the script
     * (a project under $HOME or /tmp), name what lies next to its package, the usual suspects ({@code ../schema}).
     */
    private static Optional<String> unnamedRead(RunnerInvocation invocation, Grant grant) {
        Path packageDir = invocation.manifestDir().toAbsolutePath().normalize();
        Path parent = packageDir.getParent();
        if (parent == null || visibleInSandbox(invocation, grant, parent)) {
            return Optional.empty();
        }
        List<Path> siblings = new ArrayList<>();
        try (var entries = Files.list(parent)) {
            entries.filter(Files::isDirectory).filter(p -> !p.equals(packageDir) && !invocation.targetDir().map(p::equals).orElse(false))
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> !visibleInSandbox(invocation, grant, p)).sorted().limit(6).forEach(siblings::add);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
        if (siblings.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("cordon: " + who(invocation, grant) + " failed with 'not found' "
                + "(ENOENT). The sandbox of policy '" + grant.policyName() + "' shows its package directory but not "
                + "the rest of the workspace, so these are not visible to it: "
                + String.join(", ", siblings.stream().map(p -> "../" + p.getFileName()).toList())
                + ". If it reads one of them, add to the policy:\n" + table(invocation)
                + "filesystem-access = { action = \"permit\", read = ["
                + String.join(", ", siblings.stream().map(p -> quote(variables(invocation, p))).toList()) + "] }");
    }

    /** A write refused at a path the script did not print: say what is writable instead. */
    private static String unnamedWrite(RunnerInvocation invocation, Grant grant) {
        List<String> writable = new ArrayList<>();
        if (invocation.kind() != RunnerInvocation.Kind.MACRO) { // rustc's OUT_DIR is its build script's, read-only
            invocation.outDir().ifPresent(p -> writable.add("$OUT_DIR"));
        }
        writable.add("$TMPDIR (" + grant.temporaryDirectory() + ")");
        grant.writable().forEach(p -> writable.add(variables(invocation, p)));
        return "cordon: " + who(invocation, grant) + " was refused a write (read-only file "
                + "system or permission denied) under policy '" + grant.policyName() + "', and did not print the "
                + "path. Writable in the sandbox: " + String.join(", ", writable) + "; everything else, including "
                + "$HOME, /tmp and /var/tmp, is read-only. If the crate must write elsewhere, add to the policy:\n"
                + table(invocation) + "filesystem-access = { action = \"permit\", paths = [\"$WORKSPACE_ROOT/...\"] }";
    }

    /** Whether the bwrap sandbox shows a host path (the layout of {@link BwrapPlanner}, roughly). */
    private static boolean visibleInSandbox(RunnerInvocation invocation, Grant grant, Path path) {
        Path home = BwrapPlanner.home(invocation.environment());
        boolean privateArea = path.startsWith("/tmp") || path.startsWith("/var/tmp") || path.startsWith("/run")
                || (home != null && path.startsWith(home));
        if (!privateArea) {
            return true;
        }
        List<Path> shown = new ArrayList<>(grant.readable());
        shown.addAll(grant.writable());
        shown.add(invocation.manifestDir());
        invocation.targetDir().ifPresent(shown::add);
        invocation.outDir().ifPresent(shown::add);
        return shown.stream().anyMatch(path::startsWith);
    }

    /** A path as a policy line should say it: relative to the package, the workspace or $HOME when it can. */
    static String variables(RunnerInvocation invocation, Path path) {
        Path manifest = invocation.manifestDir().toAbsolutePath().normalize();
        Optional<Path> workspace = invocation.targetDir().map(Path::getParent);
        Path home = BwrapPlanner.home(invocation.environment());
        if (path.startsWith(manifest)) {
            return join("$CARGO_MANIFEST_DIR", manifest.relativize(path));
        }
        if (workspace.isPresent() && path.startsWith(workspace.get())) {
            return join("$WORKSPACE_ROOT", workspace.get().relativize(path));
        }
        if (home != null && path.startsWith(home)) {
            return join("$HOME", home.relativize(path));
        }
        return path.toString();
    }

    private static String join(String variable, Path relative) {
        return relative.toString().isEmpty() ? variable : variable + "/" + relative;
    }

    private static String network(RunnerInvocation invocation, Grant grant) {
        return "cordon: " + who(invocation, grant) + " tried to use the network, which "
                + "policy '" + grant.policyName() + "' denies (the sandbox has no network, not even DNS). "
                + "Prefer vendoring what it downloads; to allow only the servers it needs, add to the policy:\n"
                + table(invocation) + "network-access = { action = \"permit\", routes = [\"HOST:PORT\"] }\n"
                + "or, for the whole network: network-access = { action = \"permit\" }";
    }

    /** Who was refused: a build script, or the proc macros a rustc call loads (issue 15). */
    private static String who(RunnerInvocation invocation, Grant grant) {
        if (invocation.kind() != RunnerInvocation.Kind.MACRO) {
            return "the build script of crate '" + grant.crateName() + "'";
        }
        List<String> macros = invocation.procMacros();
        return (macros.size() == 1 ? "the proc macro '" + macros.getFirst() + "'"
                : "one of the proc macros '" + String.join("', '", macros) + "'") + " (loaded by rustc compiling crate '"
                + invocation.crateName() + "')";
    }

    /** The table a policy line goes in: the build script's, or each loaded proc macro's. */
    private static String table(RunnerInvocation invocation) {
        if (invocation.kind() != RunnerInvocation.Kind.MACRO) {
            return Policies.tableHeader(invocation.kind(), invocation.crateName()) + "\n";
        }
        StringBuilder out = new StringBuilder();
        if (invocation.procMacros().size() > 1) {
            out.append("(the table of the macro that needs it; one of)\n");
        }
        invocation.procMacros().forEach(m -> out.append(Policies.tableHeader(RunnerInvocation.Kind.MACRO, m)).append('\n'));
        return out.toString();
    }

    private static boolean containsAny(String lower, List<String> needles) {
        return needles.stream().anyMatch(lower::contains);
    }

    /** Lines holding one of the needles, with their neighbours (a panic often names the path on its own line). */
    private static List<String> lines(String tail, List<String> needles) {
        String[] all = tail.split("\n");
        List<String> hits = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            if (containsAny(all[i].toLowerCase(Locale.ROOT), needles)) {
                if (i > 0) {
                    hits.add(all[i - 1]);
                }
                hits.add(all[i]);
                if (i + 1 < all.length) {
                    hits.add(all[i + 1]);
                }
            }
        }
        return hits;
    }

    private static List<Path> paths(List<String> lines) {
        Set<Path> paths = new LinkedHashSet<>();
        for (String line : lines) {
            Matcher m = ABSOLUTE_PATH.matcher(line);
            while (m.find()) {
                paths.add(Path.of(m.group(1)).normalize());
            }
        }
        return List.copyOf(paths);
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
