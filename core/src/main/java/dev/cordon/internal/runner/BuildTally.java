package dev.cordon.internal.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the build scripts of a target directory did since the last {@code summary}: one line per run in
 * {@code <target>/cordon/tally.tsv} (crate, backend, whether a denial was recognised). Cargo gives a host
 * runner no call at the end of a build (each build script is its own call, cold or through the daemon), so
 * the summary is printed on demand ({@code cordon-runner summary}, e.g. after {@code cargo build}), and a
 * denial is reported when it happens, with the failure.
 */
final class BuildTally {
    static final String FILE = "cordon/tally.tsv";

    private BuildTally() {
    }

    /** Appends one run; one write on a file opened for append, so parallel scripts never interleave. */
    static void record(Optional<Path> targetDir, String crate, String backend, boolean denied) {
        if (targetDir.isEmpty()) {
            return;
        }
        Path file = targetDir.get().resolve(FILE);
        String line = crate.replace('\t', ' ').replace('\n', ' ') + "\t" + backend + "\t" + (denied ? 1 : 0) + "\n";
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            // a tally is a convenience: the build goes on, the audit log (if on) has the record
        }
    }

    /**
     * @param targetDir the target directory
     * @param auditLog the audit log, if {@code CORDON_AUDIT_LOG} names one
     * @return the one-line summary since the last call, which starts a new tally
     */
    static String summarise(Path targetDir, Optional<Path> auditLog) throws IOException {
        Path file = targetDir.resolve(FILE);
        List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        Map<String, Integer> backends = new TreeMap<>();
        TreeSet<String> deniedCrates = new TreeSet<>();
        int denials = 0;
        for (String line : lines) {
            String[] f = line.split("\t");
            if (f.length != 3) {
                continue;
            }
            backends.merge(f[1], 1, Integer::sum);
            if (f[2].equals("1")) {
                denials++;
                deniedCrates.add(f[0]);
            }
        }
        Files.deleteIfExists(file);
        int total = backends.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder out = new StringBuilder("cordon: ").append(total).append(" build script")
                .append(total == 1 ? "" : "s").append(" ran since the last summary");
        if (!backends.isEmpty()) {
            out.append(" (");
            backends.forEach((b, n) -> out.append(out.charAt(out.length() - 1) == '(' ? "" : ", ").append(n)
                    .append(b.equals("none") ? " WITHOUT a sandbox" : " sandboxed by " + b));
            out.append(')');
        }
        out.append(", ").append(denials).append(denials == 1 ? " denial" : " denials");
        if (!deniedCrates.isEmpty()) {
            out.append(" (").append(String.join(", ", deniedCrates)).append(')');
        }
        out.append("; audit log: ").append(auditLog.map(Path::toString).orElse("off (set CORDON_AUDIT_LOG)"));
        return out.toString();
    }
}
