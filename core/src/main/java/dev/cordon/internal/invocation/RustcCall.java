package dev.cordon.internal.invocation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a rustc command line says about the files rustc reads and writes: the facts a grant for a rustc call
 * that loads proc macros needs. Reads rustc's options as Cargo writes them ({@code --out-dir DIR},
 * {@code -C incremental=DIR}, {@code --emit KIND=PATH}, {@code -o FILE}, {@code --extern NAME=PATH},
 * {@code -L [KIND=]DIR}), in both the {@code --opt value} and {@code --opt=value} forms; an argument file
 * ({@code @FILE}) must have been expanded before.
 *
 * @param crateName {@code --crate-name}, or empty
 * @param outDir {@code --out-dir}, or empty
 * @param output {@code -o}, or empty
 * @param incremental {@code -C incremental=}, or empty
 * @param emitPaths the paths of {@code --emit KIND=PATH}
 * @param externs the paths of {@code --extern NAME=PATH}
 * @param searchDirs the directories of {@code -L [KIND=]DIR}
 * @param extraFilename {@code -C extra-filename=}, or empty
 */
public record RustcCall(Optional<String> crateName, Optional<Path> outDir, Optional<Path> output,
        Optional<Path> incremental, List<Path> emitPaths, List<Path> externs, List<Path> searchDirs,
        String extraFilename) {

    /** Copies the lists. */
    public RustcCall {
        emitPaths = List.copyOf(emitPaths);
        externs = List.copyOf(externs);
        searchDirs = List.copyOf(searchDirs);
    }

    /**
     * Reads a rustc command line.
     *
     * @param arguments rustc's arguments (without the rustc program), {@code @FILE} already expanded
     * @param workingDirectory where rustc runs: relative paths resolve against it
     * @return what it says; never null
     */
    public static RustcCall parse(List<String> arguments, Path workingDirectory) {
        Optional<String> crateName = Optional.empty();
        Optional<Path> outDir = Optional.empty();
        Optional<Path> output = Optional.empty();
        Optional<Path> incremental = Optional.empty();
        String extra = "";
        List<Path> emit = new ArrayList<>();
        List<Path> externs = new ArrayList<>();
        List<Path> search = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            String arg = arguments.get(i);
            String option = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                option = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if ((arg.startsWith("-C") || arg.startsWith("-L")) && arg.length() > 2) {
                option = arg.substring(0, 2);
                value = arg.substring(2);
            } else if (arg.startsWith("-o") && arg.length() > 2) {
                option = "-o";
                value = arg.substring(2);
            } else if (i + 1 < arguments.size() && List.of("--crate-name", "--out-dir", "-o", "-C", "-L", "--emit",
                    "--extern").contains(arg)) {
                value = arguments.get(++i);
            }
            if (value == null) {
                continue;
            }
            switch (option) {
                case "--crate-name" -> crateName = Optional.of(value);
                case "--out-dir" -> outDir = Optional.of(path(workingDirectory, value));
                case "-o" -> output = Optional.of(path(workingDirectory, value));
                case "-C" -> {
                    if (value.startsWith("incremental=")) {
                        incremental = Optional.of(path(workingDirectory, value.substring("incremental=".length())));
                    } else if (value.startsWith("extra-filename=")) {
                        extra = value.substring("extra-filename=".length());
                    }
                }
                case "-L" -> {
                    int kind = value.indexOf('=');
                    search.add(path(workingDirectory, kind > 0 ? value.substring(kind + 1) : value));
                }
                case "--emit" -> {
                    for (String part : value.split(",")) {
                        int at = part.indexOf('=');
                        if (at > 0 && at + 1 < part.length()) {
                            emit.add(path(workingDirectory, part.substring(at + 1)));
                        }
                    }
                }
                case "--extern" -> {
                    int at = value.indexOf('=');
                    if (at > 0 && at + 1 < value.length()) {
                        externs.add(path(workingDirectory, value.substring(at + 1)));
                    }
                }
                default -> {
                }
            }
        }
        return new RustcCall(crateName, outDir, output, incremental, emit, externs, search, extra);
    }

    private static Path path(Path workingDirectory, String value) {
        return workingDirectory.resolve(value).toAbsolutePath().normalize();
    }

    /**
     * {@return the target directory: the nearest folder above the output directory (at most four levels up)
     * holding Cargo's {@code CACHEDIR.TAG}, or empty}
     */
    public Optional<Path> targetDir() {
        Path dir = outDir.or(() -> output.map(Path::getParent)).orElse(null);
        for (int up = 0; dir != null && up < 4; up++, dir = dir.getParent()) {
            if (java.nio.file.Files.isRegularFile(dir.resolve("CACHEDIR.TAG"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }
}
