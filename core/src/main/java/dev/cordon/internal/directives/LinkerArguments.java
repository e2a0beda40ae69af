package dev.cordon.internal.directives;

import java.util.List;
import java.util.Optional;

/**
 * Which linker arguments a build script may add ({@code rustc-link-arg} and its per-target forms). Cargo
 * passes each as {@code -C link-arg=ARG}; rustc hands it, as one argument, to the linker driver
 * ({@code cc}: gcc or clang), which passes {@code -Wl,a,b} and the argument after {@code -Xlinker} to the
 * linker ({@code ld}, {@code lld}, {@code mold}, {@code ld64}). Both run on the host, outside the sandbox.
 *
 * <p>Refused: arguments that make either of them run or load other code (a program directory, another
 * linker, plugins, spec or response files, wrappers, pass-through options to internal tools), write files
 * where the script says (the output, maps, dependency files, temporaries), or read files outside
 * {@link SearchRoots}. Every argument is checked as a driver argument and as a linker argument, so an
 * argument that follows a {@code -Xlinker} printed on an earlier line is covered too.
 */
final class LinkerArguments {
    /**
     * Linker options (GNU ld, gold, lld, mold, ld64) that load or run code or write files at a chosen path.
     * GNU ld accepts unambiguous abbreviations of long options, with one dash or two, so a prefix of two or
     * more characters of one of these is refused too.
     */
    static final List<String> LINKER_OPTIONS = List.of("plugin", "plugin-opt", "plugin-save-temps",
            "load-pass-plugin", "error-handling-script", "lto_library", "mllvm", "dynamic-linker", "output",
            "out-implib", "Map", "map", "dependency-file", "dependency_info", "reproduce", "save-temps",
            "lto-obj-path", "object_path_lto", "cache_path_lto", "thinlto-index-only", "thinlto-cache-dir",
            "thinlto-prefix-replace", "thinlto-object-suffix-replace", "thinlto-emit-index-files", "why-extract",
            "print-archive-stats", "print-symbol-counts");

    /** Options whose value is a name or a run-time path, never a file the linker opens. */
    private static final List<String> NAMES_ONLY = List.of("rpath", "soname", "h", "install_name",
            "dylib_install_name", "z");

    /** dyld's path prefixes in install names and rpaths (macOS); not response files. */
    private static final List<String> DYLD_PREFIXES = List.of("@rpath/", "@loader_path/", "@executable_path/");

    private LinkerArguments() {
    }

    /**
     * {@return why the argument is refused, or empty}
     *
     * @param arg one linker argument as printed
     * @param roots where files may come from
     */
    static Optional<String> refusal(String arg, SearchRoots roots) {
        if (arg.startsWith("-Wl,")) {
            return linkerGroup(arg.substring(4).split(",", -1), roots);
        }
        if (arg.startsWith("--for-linker=")) {
            return linkerGroup(new String[] {arg.substring("--for-linker=".length())}, roots);
        }
        Optional<String> driver = driver(arg, roots);
        return driver.isPresent() ? driver : linkerGroup(new String[] {arg}, roots);
    }

    private static Optional<String> driver(String arg, SearchRoots roots) {
        if (arg.startsWith("-B") || option(arg, "--prefix")) {
            return why(arg, "makes the linker driver look for its programs (collect2, ld, as) in a directory"
                    + " the script chooses, so the script's programs run on the host");
        }
        if (arg.startsWith("-fuse-ld=") || option(arg, "--ld-path") || option(arg, "-ld-path")) {
            return why(arg, "makes the linker driver run another linker program");
        }
        if (arg.startsWith("-fplugin") || arg.startsWith("-fpass-plugin") || arg.startsWith("-iplugindir")) {
            return why(arg, "loads a compiler plugin into the host's compiler");
        }
        if (arg.startsWith("-specs") || arg.startsWith("--specs")) {
            return why(arg, "reads a GCC spec file, which can run any command");
        }
        if (arg.startsWith("-wrapper")) {
            return why(arg, "runs the driver's subprograms under a program the script names");
        }
        if (arg.startsWith("-X") && !arg.equals("-Xlinker")) {
            return why(arg, "passes options to the driver's internal tools, which can load plugins");
        }
        if (arg.startsWith("-Wp,") || arg.startsWith("-Wa,")) {
            return why(arg, "passes options to the preprocessor or assembler, which can load plugins or write files");
        }
        if (arg.startsWith("-o") || option(arg, "--output")) {
            return why(arg, "makes the linker write its output where the script says (the last -o wins)");
        }
        if (arg.startsWith("-save-temps") || arg.startsWith("--save-temps") || arg.startsWith("-dumpdir")
                || arg.startsWith("-dumpbase") || arg.startsWith("-M")) {
            return why(arg, "makes the driver write files outside the target dir");
        }
        if (option(arg, "--sysroot") || arg.startsWith("-isysroot") || option(arg, "--gcc-toolchain")
                || option(arg, "-gcc-toolchain") || option(arg, "--gcc-install-dir") || option(arg, "--gcc-triple")
                || arg.startsWith("-ccc-") || arg.startsWith("--config")) {
            return why(arg, "changes where the driver finds its programs, libraries or options");
        }
        if (arg.equals("-L") || arg.equals("--library-directory")) {
            return why(arg, "names its directory in the next argument, which Cordon does not pair up; write it as"
                    + " one argument, e.g. -L$OUT_DIR/lib");
        }
        if (arg.startsWith("-L")) {
            return path(arg, arg.substring(2), roots);
        }
        return Optional.empty();
    }

    private static Optional<String> linkerGroup(String[] words, SearchRoots roots) {
        boolean nameNext = false;
        for (String word : words) {
            if (nameNext) {
                nameNext = false;
                continue;
            }
            Optional<String> refused = linkerWord(word, roots);
            if (refused.isPresent()) {
                return refused;
            }
            String name = optionName(word);
            nameNext = word.startsWith("-") && word.indexOf('=') < 0 && NAMES_ONLY.contains(name);
        }
        return Optional.empty();
    }

    private static Optional<String> linkerWord(String word, SearchRoots roots) {
        if (word.startsWith("@") && DYLD_PREFIXES.stream().noneMatch(word::startsWith)) {
            return why(word, "is a response file: the tool reads more arguments from a file the script wrote");
        }
        if (!word.startsWith("-")) {
            return word.startsWith("/") || hasDotDot(word) ? path(word, word, roots) : Optional.empty();
        }
        if (word.startsWith("-o") && !word.startsWith("--")) {
            return why(word, "makes the linker write its output where the script says (the last -o wins)");
        }
        String name = optionName(word);
        if (name.equals("I")) {
            return why(word, "sets the program interpreter (-I is --dynamic-linker)");
        }
        if (name.length() >= 2) {
            for (String option : LINKER_OPTIONS) {
                if (option.startsWith(name)) {
                    return why(word, "is (an abbreviation of) the linker option --" + option
                            + ", which loads or runs code or writes a file the script chooses");
                }
            }
        }
        int eq = word.indexOf('=');
        if (eq > 0 && !NAMES_ONLY.contains(name)) {
            String value = word.substring(eq + 1);
            if (value.startsWith("/") || hasDotDot(value)) {
                return path(word, value, roots);
            }
        }
        if (word.startsWith("-L") && word.length() > 2) {
            return path(word, word.substring(2), roots);
        }
        if (word.startsWith("-T") && word.length() > 2 && !word.startsWith("-Ttext") && !word.startsWith("-Tdata")
                && !word.startsWith("-Tbss")) {
            String value = word.substring(2);
            return value.startsWith("/") || hasDotDot(value) ? path(word, value, roots) : Optional.empty();
        }
        // A path joined to any other option (-R/x, -include/x): where its first '/' starts, a path starts.
        int slash = word.indexOf('/');
        if (eq < 0 && slash > 0 && !NAMES_ONLY.contains(name)) {
            return path(word, word.substring(slash), roots);
        }
        return Optional.empty();
    }

    /** The option's name without its leading dashes and without {@code =value}. */
    private static String optionName(String word) {
        String name = word.startsWith("--") ? word.substring(2) : word.startsWith("-") ? word.substring(1) : word;
        int eq = name.indexOf('=');
        return eq < 0 ? name : name.substring(0, eq);
    }

    private static boolean option(String arg, String name) {
        return arg.equals(name) || arg.startsWith(name + "=");
    }

    private static boolean hasDotDot(String path) {
        return path.equals("..") || path.startsWith("../") || path.endsWith("/..") || path.contains("/../");
    }

    private static Optional<String> path(String arg, String path, SearchRoots roots) {
        return roots.refusal(path).map(reason -> "\"" + arg + "\" names " + reason);
    }

    private static Optional<String> why(String arg, String reason) {
        return Optional.of("\"" + arg + "\" " + reason);
    }
}
