package dev.cordon.internal.runner;

import dev.cordon.Grant;
import dev.cordon.ResourceLimits;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.cache.CacheFiles;
import dev.cordon.internal.directives.Directive;
import dev.cordon.internal.directives.DirectiveFirewall;
import dev.cordon.internal.exec.DirectiveCheck;
import dev.cordon.internal.policy.cache.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A policy file in Cargo's freshness check of a build script, so that editing the policy re-runs exactly the
 * scripts whose grant changed (issue 18).
 *
 * <p>After a successful run the runner adds {@code cargo:rerun-if-changed=<policy file>} to the script's output:
 * Cargo then runs the script again whenever the file changes. A script that printed no {@code rerun-if} line
 * of its own also gets its package's files ({@link PackageFiles}), since one such line switches Cargo from
 * "any file of the package" to "only the listed paths". Then a record of the run is written beside
 * {@code OUT_DIR}, in Cargo's build folder of the script, which no sandbox can write: the grant's digest, the
 * script binary's size, time and inode, and a digest of the values of the variables the script watches.
 *
 * <p>When Cargo runs the script again, the record is compared first. If the grant, the binary and the watched
 * variables are the same, and none of the paths the output lists (but the policy file) changed since the
 * previous run (Cargo's own test: a modification time later than its {@code output} file's), then only
 * the policy's text changed and nothing Cargo watches: the previous output, which Cargo keeps in
 * {@code output}, is printed again, through the directive firewall, and the script does not run.
 *
 * <p>Only a policy read from a file is watched: a policy in code or from a provider jar changes with the
 * runner, which Cargo does not watch either.
 */
final class PolicyRerun {
    /** The record's file name, beside {@code OUT_DIR}. */
    static final String RECORD = "cordon-rerun";
    private static final String RERUN_IF_CHANGED = "rerun-if-changed";
    private static final String RERUN_IF_ENV_CHANGED = "rerun-if-env-changed";
    /** Variables that differ between builds without changing what a script does: the jobserver, the job count. */
    private static final Set<String> VOLATILE = Set.of("CARGO_MAKEFLAGS", "MAKEFLAGS", "MFLAGS", "NUM_JOBS");

    private final RunnerInvocation invocation;
    private final Path packageDir;
    private final Path policyFile;
    private final Path buildDir;
    private final String identity;
    private volatile boolean watchesItself;
    /** The last byte the script's stdout passed on: a last line without a newline must not swallow ours. */
    private volatile int lastByte = '\n';
    private final Set<String> watchedVariables = new TreeSet<>();

    private PolicyRerun(RunnerInvocation invocation, Path packageDir, Path policyFile, Path buildDir, String identity) {
        this.invocation = invocation;
        this.packageDir = packageDir;
        this.policyFile = policyFile;
        this.buildDir = buildDir;
        this.identity = identity;
    }

    /**
     * @param prepared the prepared run
     * @param decoded the call as Cargo made it (the package directory, before a source copy)
     * @param policyInCode whether the policy was fixed in code (then no file decides)
     * @return the watch, or empty when the run is not a build script's, or no policy file decides
     */
    static Optional<PolicyRerun> of(RunnerEngine.Prepared prepared, RunnerInvocation decoded, boolean policyInCode) {
        RunnerInvocation invocation = prepared.invocation();
        if (policyInCode || invocation.kind() != RunnerInvocation.Kind.BUILD_SCRIPT || prepared.policyFile().isEmpty()
                || invocation.buildDir().isEmpty()) {
            return Optional.empty();
        }
        Path policy = prepared.policyFile().get().toAbsolutePath().normalize();
        String p = policy.toString();
        if (p.indexOf('\n') >= 0 || p.indexOf('\r') >= 0 || !Files.isRegularFile(policy)) {
            return Optional.empty();
        }
        String identity = "cordon-rerun 1\npolicy " + p + "\ngrant " + digest(prepared.grant()) + "\nprogram "
                + CacheFiles.stamp(invocation.program()) + "\n";
        return Optional.of(new PolicyRerun(invocation, decoded.manifestDir().toAbsolutePath().normalize(), policy,
                invocation.buildDir().get(), identity));
    }

    /**
     * {@return Cargo's stream, noting the last byte written to it}
     *
     * @param stdout Cargo's protocol stream
     */
    OutputStream tracking(OutputStream stdout) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                stdout.write(b);
                lastByte = b & 0xff;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                stdout.write(b, off, len);
                if (len > 0) {
                    lastByte = b[off + len - 1] & 0xff;
                }
            }

            @Override
            public void flush() throws IOException {
                stdout.flush();
            }
        };
    }

    /**
     * {@return the directive check, also noting the {@code rerun-if} lines the script prints}
     *
     * @param check the directive firewall's check
     */
    DirectiveCheck observing(DirectiveCheck check) {
        return new DirectiveCheck() {
            @Override
            public Optional<String> refusal(byte[] line, int length) {
                Optional<String> refusal = check.refusal(line, length);
                if (refusal.isEmpty()) {
                    note(new String(line, 0, length, StandardCharsets.UTF_8));
                }
                return refusal;
            }

            @Override
            public Optional<String> refusalOfLongLine(byte[] start, int length) {
                return check.refusalOfLongLine(start, length);
            }

            @Override
            public Optional<String> refusalAtEnd() {
                return check.refusalAtEnd();
            }
        };
    }

    private void note(String line) {
        Optional<Directive> d = Directive.parse(line);
        if (d.isPresent() && d.get().key().equals(RERUN_IF_CHANGED)) {
            watchesItself = true;
        } else if (d.isPresent() && d.get().key().equals(RERUN_IF_ENV_CHANGED)) {
            watchesItself = true;
            synchronized (watchedVariables) {
                watchedVariables.add(d.get().value());
            }
        }
    }

    /**
     * Prints the previous run's output again when only the policy's text changed since.
     *
     * @param stdout Cargo's protocol stream
     * @param firewall the firewall of this run, which the kept output must pass again
     * @return whether the output was printed (the script must not run)
     */
    boolean replay(OutputStream stdout, DirectiveFirewall firewall) {
        try {
            Path record = buildDir.resolve(RECORD);
            Path output = buildDir.resolve("output");
            if (!Files.isRegularFile(record) || !Files.isRegularFile(output)) {
                return false;
            }
            String recorded = new String(CacheFiles.read(record), StandardCharsets.UTF_8);
            if (!recorded.startsWith(identity)) {
                return false;
            }
            // Cargo writes output after the runner wrote the record; an older one (Cargo stopped in between)
            // is a previous run's, perhaps under another grant.
            FileTime written = (FileTime) Files.getAttribute(output, "unix:ctime");
            if (written.compareTo(Files.getLastModifiedTime(record)) < 0) {
                return false;
            }
            byte[] kept = CacheFiles.read(output);
            FileTime previousRun = Files.getLastModifiedTime(output);
            boolean watchesPolicy = false;
            Set<String> variables = new TreeSet<>();
            for (String line : new String(kept, StandardCharsets.UTF_8).split("\n", -1)) {
                String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                if (firewall.check(text).refusal().isPresent()) {
                    return false;
                }
                Optional<Directive> d = Directive.parse(text);
                if (d.isEmpty()) {
                    continue;
                }
                if (d.get().key().equals(RERUN_IF_ENV_CHANGED)) {
                    variables.add(d.get().value());
                } else if (d.get().key().equals(RERUN_IF_CHANGED)) {
                    Path path = packageDir.resolve(d.get().value()).toAbsolutePath().normalize();
                    if (path.equals(policyFile)) {
                        watchesPolicy = true;
                    } else if (changedSince(path, previousRun)) {
                        return false;
                    }
                }
            }
            if (!watchesPolicy || !recorded.equals(identity + "variables " + variables(variables) + "\n")
                    || firewall.finish().refusal().isPresent()) {
                return false;
            }
            stdout.write(kept);
            stdout.flush();
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // a record that cannot be read or compared: the script runs
        }
    }

    /** Removes the record before the script runs, so a run that does not end well leaves none. */
    void forget() {
        try {
            Files.deleteIfExists(buildDir.resolve(RECORD));
        } catch (IOException e) {
            // left in place, the record still names the previous run's grant and binary, which this run has
        }
    }

    /**
     * After a successful run: adds the policy file (and, for a script that listed nothing, its package's files)
     * to the output, and writes the record.
     *
     * @param stdout Cargo's protocol stream
     */
    void succeeded(OutputStream stdout) {
        List<Path> paths = new ArrayList<>();
        if (!watchesItself) {
            Optional<List<Path>> files = PackageFiles.of(packageDir, outputFolders());
            if (files.isEmpty()) {
                return; // no line at all keeps Cargo's rule for this package
            }
            paths.addAll(files.get());
        }
        paths.add(policyFile);
        StringBuilder lines = new StringBuilder(lastByte == '\n' ? "" : "\n");
        for (Path path : paths) {
            lines.append("cargo:").append(RERUN_IF_CHANGED).append('=').append(path).append('\n');
        }
        Set<String> variables;
        synchronized (watchedVariables) {
            variables = new TreeSet<>(watchedVariables);
        }
        try {
            stdout.write(lines.toString().getBytes(StandardCharsets.UTF_8));
            stdout.flush();
            CacheFiles.writeAtomically(buildDir.resolve(RECORD), (identity + "variables " + variables(variables)
                    + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            forget(); // without a record, the next policy change runs the script
        }
    }

    private List<Path> outputFolders() {
        List<Path> folders = new ArrayList<>();
        invocation.targetDir().ifPresent(folders::add);
        folders.add(buildDir);
        return folders;
    }

    /** A digest of the watched variables' values, which Cargo compares with the previous run's. */
    private String variables(Set<String> names) {
        StringBuilder text = new StringBuilder();
        for (String name : names) {
            String value = invocation.environment().get(name);
            text.append(name).append(value == null ? "\u0000unset" : "=" + value).append('\u0000');
        }
        return Sha256.hex(Sha256.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Whether a listed path changed since Cargo's previous run of the script: missing, or modified later (a
     * folder: anything in it, as Cargo looks at folders).
     */
    private static boolean changedSince(Path path, FileTime previousRun) throws IOException {
        if (!Files.exists(path)) {
            return true;
        }
        if (!Files.isDirectory(path)) {
            return Files.getLastModifiedTime(path).compareTo(previousRun) > 0;
        }
        try (Stream<Path> all = Files.walk(path, FileVisitOption.FOLLOW_LINKS)) {
            Iterator<Path> it = all.iterator();
            while (it.hasNext()) {
                if (Files.getLastModifiedTime(it.next()).compareTo(previousRun) > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The grant in a canonical text, hashed: the same decision gives the same digest in every JVM (sets sorted),
     * and the variables that change between builds without changing the script's work are left out.
     */
    static String digest(Grant grant) {
        Map<String, String> environment = new TreeMap<>(grant.environment());
        environment.keySet().removeAll(VOLATILE);
        // No record's toString: its ObjectMethods bootstrap spins classes at run time on the cold path.
        ResourceLimits limits = grant.limits();
        String limitsText = limits.processes() + "," + limits.memoryBytes() + "," + limits.openFiles() + ","
                + limits.outputBytes();
        StringBuilder routes = new StringBuilder();
        for (Route route : grant.network().routes()) {
            routes.append(route).append(',');
        }
        String text = String.join("\u0000", grant.crateName(), grant.policyName(), grant.network().mode().name(),
                routes.toString(),
                grant.readable().toString(), grant.writable().toString(), grant.hidden().toString(),
                environment.toString(), grant.temporaryDirectory().toString(), grant.timeout().toString(),
                grant.idleTimeout().toString(), grant.source().toString(), grant.liveLog().toString(),
                grant.syscalls().profile().name(), new TreeSet<>(grant.syscalls().deny()).toString(),
                new TreeSet<>(grant.syscalls().allow()).toString(), Boolean.toString(grant.syscalls().required()),
                grant.backend().id(), limitsText, grant.allowedDirectives().toString());
        return Sha256.hex(Sha256.digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
