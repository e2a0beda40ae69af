package dev.cordon.internal.runner;

import dev.cordon.ExitCodes;
import dev.cordon.RunnerInvocation;
import dev.cordon.SandboxException;
import dev.cordon.internal.exec.Supervisor;
import dev.cordon.internal.invocation.RustcCall;
import dev.cordon.internal.policy.reading.KeyPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A rustc call that loads proc macros writes into folders of its own, never into the folders every crate of the
 * build shares (issue 15). Cargo gives every rustc call the same output folder ({@code deps}) and the same
 * incremental folder; a macro allowed to write there could replace another crate's library, or another proc
 * macro's, whose grant may be wider (a macro granted a database route), or poison another crate's incremental
 * cache. So the call runs with {@code --out-dir} and {@code -C incremental} rewritten to
 * {@code <out-dir>/../.cordon/<crate><extra-filename>/out} and {@code .../incremental}, the only folders its
 * sandbox may write, and the runner, outside the sandbox, puts the outputs where Cargo expects them:
 * <ul>
 * <li>while rustc runs, each output it announces to Cargo ({@code {"artifact":"PATH",...}} on stderr with
 *     {@code --json=artifacts}) is linked into the real output folder before Cargo reads the line, with the path
 *     in the line rewritten: Cargo starts the crates that need only the metadata ({@code .rmeta}) at once, as
 *     without Cordon (pipelining);</li>
 * <li>after a successful run, every file rustc left in its folder is moved there (a dep-info file with its
 *     paths rewritten), given to the owner of the real folder (a root runner's sandbox user made it) and
 *     stripped of setuid and setgid bits; after a failed run they are removed, as rustc removes them.</li>
 * </ul>
 * Only files named as this call's outputs ({@code <crate><extra-filename>}, with or without {@code lib} in front,
 * and with any extension) ever reach the real folder: the macro runs inside rustc, so it can create files in
 * rustc's folder and print notices on rustc's stderr, and a file named like another crate's library must not
 * be carried into place for it. The incremental folder is kept between builds, per crate. A call without
 * {@code --out-dir} or {@code --crate-name} (not one Cargo makes) is run as given.
 *
 * @param invocation the call to run: rustc's arguments rewritten
 * @param unit {@code <crate><extra-filename>}, which every output's name is made of
 * @param outDir the output folder Cargo asked for
 * @param staging the folder rustc writes instead
 * @param incremental the private incremental folder, when the call asked for one
 */
record StagedOutputs(RunnerInvocation invocation, String unit, Path outDir, Path staging,
        Optional<Path> incremental) {
    private static final String FOLDER = ".cordon";

    /**
     * {@return how {@code call} runs with private output folders, or empty when it names no output folder}
     *
     * @param call a {@link RunnerInvocation.Kind#MACRO} call, argument files expanded
     */
    static Optional<StagedOutputs> of(RunnerInvocation call) {
        RustcCall rustc = RustcCall.parse(call.arguments(), call.workingDirectory());
        if (rustc.outDir().isEmpty() || rustc.outDir().get().getParent() == null || rustc.crateName().isEmpty()) {
            return Optional.empty();
        }
        Path outDir = rustc.outDir().get();
        String unit = rustc.crateName().get() + rustc.extraFilename();
        if (unit.isEmpty() || unit.contains("/") || unit.startsWith(".")) {
            return Optional.empty();
        }
        Path root = outDir.getParent().resolve(FOLDER).resolve(unit);
        Path staging = root.resolve("out");
        Optional<Path> incremental = rustc.incremental().map(i -> root.resolve("incremental"));
        List<String> arguments = rewrite(call.arguments(), staging, incremental);
        RunnerInvocation rewritten = new RunnerInvocation(call.kind(), call.program(), arguments,
                call.workingDirectory(), call.environment(), call.procMacros());
        return Optional.of(new StagedOutputs(rewritten, unit, outDir, staging, incremental));
    }

    /** {@return rustc's arguments with {@code --out-dir} and {@code -C incremental} pointing at the private folders} */
    static List<String> rewrite(List<String> arguments, Path staging, Optional<Path> incremental) {
        List<String> out = new ArrayList<>(arguments.size());
        for (int i = 0; i < arguments.size(); i++) {
            String arg = arguments.get(i);
            if (arg.equals("--out-dir") && i + 1 < arguments.size()) {
                out.add(arg);
                out.add(staging.toString());
                i++;
            } else if (arg.startsWith("--out-dir=")) {
                out.add("--out-dir=" + staging);
            } else if (incremental.isPresent() && arg.equals("-C") && i + 1 < arguments.size()
                    && arguments.get(i + 1).startsWith("incremental=")) {
                out.add(arg);
                out.add("incremental=" + incremental.get());
                i++;
            } else if (incremental.isPresent() && arg.startsWith("-Cincremental=")) {
                out.add("-Cincremental=" + incremental.get());
            } else {
                out.add(arg);
            }
        }
        return out;
    }

    /**
     * Makes the private folders before the call is planned: an empty output folder (what a run killed before
     * left there is removed, never following a link) and the incremental folder.
     *
     * @throws SandboxException when they cannot be made
     */
    void prepare() {
        try {
            Trees.delete(staging);
            Files.createDirectories(staging);
            if (incremental.isPresent()) {
                Files.createDirectories(incremental.get());
            }
        } catch (IOException e) {
            throw new SandboxException("cannot make the private output folder " + staging + " of a rustc call that loads"
                    + " proc macros: " + e.getMessage(), ExitCodes.SANDBOX_FAILED, e);
        }
    }

    /** {@return the rewrite of rustc's artifact notices on stderr: each announced output linked into place first} */
    Supervisor.LineRewrite notices() {
        byte[] prefix = "{\"artifact\":\"".getBytes(StandardCharsets.US_ASCII);
        String from = jsonEscaped(staging + "/");
        String to = jsonEscaped(outDir + "/");
        return (line, length) -> {
            if (length < prefix.length || !java.util.Arrays.equals(line, 0, prefix.length, prefix, 0, prefix.length)) {
                return Optional.empty();
            }
            String text = new String(line, 0, length, StandardCharsets.UTF_8);
            if (!text.startsWith("{\"artifact\":\"" + from)) {
                return Optional.empty();
            }
            int end = text.indexOf('"', prefix.length + from.length());
            String name = end < 0 ? "" : text.substring(prefix.length + from.length(), end);
            if (!name.contains("/") && !name.contains("\\") && isOutput(name)) {
                linkIntoPlace(name);
            }
            return Optional.of(("{\"artifact\":\"" + to + text.substring(prefix.length + from.length()))
                    .getBytes(StandardCharsets.UTF_8));
        };
    }

    /**
     * {@return whether {@code name} is named as one of this call's outputs: {@code <unit>} (a binary),
     * {@code <unit>.EXT} (dep-info, objects) or {@code lib<unit>.EXT} (libraries, metadata)}
     */
    boolean isOutput(String name) {
        return name.equals(unit) || name.startsWith(unit + ".") || name.startsWith("lib" + unit + ".");
    }

    /** Links one announced output into the real folder, replacing what is there; a failure leaves it to {@link #publish}. */
    private void linkIntoPlace(String name) {
        Path source = staging.resolve(name);
        Path target = outDir.resolve(name);
        try {
            if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            Path temporary = outDir.resolve("." + name + ".cordon-" + ProcessHandle.current().pid());
            Files.deleteIfExists(temporary);
            Files.createLink(temporary, source); // link(2) never follows a link the script may have swapped in
            if (!Files.isRegularFile(temporary, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(temporary);
                return;
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            // Cargo then waits for the whole compile instead of the metadata: slower, not wrong
        }
    }

    /**
     * After a successful run: moves every output rustc left in its folder into the real one (dep-info rewritten to
     * name the real folder), owned like the real folder, without setuid or setgid bits; then removes the folder.
     *
     * @return the files left there that are not named as this call's outputs (not moved: a macro made them);
     *     {@link #foreignFiles} tells the user
     * @throws SandboxException when an output cannot be put in place (Cargo would miss it)
     */
    List<String> publish() {
        List<String> foreign = new ArrayList<>();
        try {
            PosixFileAttributes real = Files.readAttributes(outDir, PosixFileAttributes.class);
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(staging)) {
                entries.forEach(files::add);
            }
            for (Path file : files) {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (!attributes.isRegularFile()) {
                    continue; // rustc's own temporary folders; a link or anything else is not an output
                }
                if (!isOutput(file.getFileName().toString())) {
                    foreign.add(file.getFileName().toString());
                    continue;
                }
                if (file.getFileName().toString().endsWith(".d")) {
                    rewriteDepInfo(file);
                }
                PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS);
                PosixFileAttributes now = view.readAttributes();
                if (!now.owner().equals(real.owner())) {
                    view.setOwner(real.owner());
                }
                if (!now.group().equals(real.group())) {
                    view.setGroup(real.group());
                }
                Object mode = Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if (mode instanceof Integer bits && (bits & 06000) != 0) {
                    view.setPermissions(view.readAttributes().permissions()); // chmod without setuid and setgid
                }
                Files.move(file, outDir.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
            Trees.delete(staging);
            return foreign;
        } catch (IOException e) {
            throw new SandboxException("cannot move the outputs of rustc from its private folder " + staging + " to "
                    + outDir + ": " + e.getMessage(), ExitCodes.SANDBOX_FAILED, e);
        }
    }

    /** {@return the warning about files a macro made in rustc's folder: their names quoted, as a macro chose them} */
    String foreignFiles(List<String> names) {
        List<String> quoted = names.stream().sorted().limit(8).map(KeyPath::quote).toList();
        return "cordon: rustc compiling crate '" + invocation.crateName() + "' (loading proc macros "
                + String.join(", ", invocation.procMacros()) + ") left files that are not its outputs: "
                + String.join(", ", quoted) + (names.size() > 8 ? " and " + (names.size() - 8) + " more" : "")
                + "; not moved into " + outDir + " (a proc macro made them)";
    }

    /** After a failed run: removes what rustc left, as rustc removes its outputs when it fails. */
    void discard() {
        try {
            Trees.delete(staging);
        } catch (IOException e) {
            // removed by the next run of the same crate
        }
    }

    private void rewriteDepInfo(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String rewritten = text.replace(staging + "/", outDir + "/")
                .replace(makeEscaped(staging + "/"), makeEscaped(outDir + "/"));
        if (!rewritten.equals(text)) {
            Path fresh = file.resolveSibling(file.getFileName() + ".cordon");
            Files.deleteIfExists(fresh);
            Files.writeString(fresh, rewritten, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A path as a Makefile rule (rustc's dep-info) writes it: spaces escaped. */
    private static String makeEscaped(String path) {
        return path.replace(" ", "\\ ");
    }

    private static String jsonEscaped(String path) {
        return path.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
