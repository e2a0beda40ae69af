package dev.cordon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What Cargo asked a runner to run: one build-script call, or one binary, test or bench run, with the
 * facts a policy needs.
 *
 * <p>The raw parts ({@link #program()}, {@link #arguments()}, {@link #workingDirectory()},
 * {@link #environment()}) are kept untouched; the accessors below derive the rest from Cargo's
 * build-script environment. Instances come from an {@link dev.cordon.spi.InvocationDecoder}; tests may
 * build them with {@link #of}.
 *
 * @param kind what Cargo runs; never null
 * @param program the absolute path of the executable Cargo asked to run (for build scripts, the
 *     compiled {@code build-script-build}); never null
 * @param arguments the arguments after the program (Cargo passes none to build scripts); never null
 * @param workingDirectory the directory Cargo started the runner in (the package root); never null
 * @param environment the environment Cargo gave the runner, untouched; never null
 * @param procMacros for a {@link Kind#MACRO} call, the packages of the proc macros rustc loads (as in
 *     {@code CARGO_PKG_NAME} of each), sorted; empty for every other kind; never null
 * @since 0.1
 */
public record RunnerInvocation(Kind kind, Path program, List<String> arguments, Path workingDirectory,
        Map<String, String> environment, List<String> procMacros) {

    /** What kind of program Cargo asked to run. */
    public enum Kind {
        /** A package's build script ({@code build.rs} compiled). */
        BUILD_SCRIPT,
        /**
         * A package's binary, test or bench that {@code cargo run}, {@code cargo test} or {@code cargo bench}
         * starts through {@code [target.<triple>] runner}; {@link #arguments()} are its arguments. Policies
         * decide it from {@code [permissions.run]}.
         *
         * @since 0.2
         */
        RUN,
        /**
         * A rustc call that loads proc macros, which {@code bin/cordon-rustc} (stable Cargo's
         * {@code [build] rustc-wrapper}) runs through the runner: {@link #program()} is rustc,
         * {@link #arguments()} its command line, {@link #procMacros()} the proc-macro packages it loads.
         * Policies decide it from {@code [permissions.macro]} and those packages' tables.
         *
         * @since 0.3
         */
        MACRO,
        /** Some other host program; policies treat it like a build script of an unknown crate. */
        OTHER
    }

    /** Copies the components; the maps and lists become unmodifiable, the proc macros sorted. */
    public RunnerInvocation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(program, "program");
        arguments = List.copyOf(arguments);
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        environment = Collections.unmodifiableMap(new TreeMap<>(environment));
        procMacros = List.copyOf(new java.util.TreeSet<>(procMacros));
    }

    /**
     * Creates an invocation that loads no proc macro.
     *
     * @param kind what Cargo runs
     * @param program the program
     * @param arguments its arguments
     * @param workingDirectory where it starts
     * @param environment Cargo's environment for it
     */
    public RunnerInvocation(Kind kind, Path program, List<String> arguments, Path workingDirectory,
            Map<String, String> environment) {
        this(kind, program, arguments, workingDirectory, environment, List.of());
    }

    /**
     * Creates a build-script invocation, as a decoder would.
     *
     * @param program the build-script executable
     * @param workingDirectory the package root
     * @param environment Cargo's environment for the script
     * @return the invocation; never null
     */
    public static RunnerInvocation of(Path program, Path workingDirectory, Map<String, String> environment) {
        return new RunnerInvocation(Kind.BUILD_SCRIPT, program, List.of(), workingDirectory, environment);
    }

    /** {@return the package name ({@code CARGO_PKG_NAME}), or {@code "<unknown>"} when Cargo gave none} */
    public String crateName() {
        return env("CARGO_PKG_NAME").orElse("<unknown>");
    }

    /** {@return the package version ({@code CARGO_PKG_VERSION}), or empty} */
    public Optional<String> crateVersion() {
        return env("CARGO_PKG_VERSION");
    }

    /** {@return {@code OUT_DIR}, the one directory a build script is meant to write, or empty} */
    public Optional<Path> outDir() {
        return env("OUT_DIR").map(Path::of);
    }

    /** {@return the package root ({@code CARGO_MANIFEST_DIR}), else the working directory} */
    public Path manifestDir() {
        return env("CARGO_MANIFEST_DIR").map(Path::of).orElse(workingDirectory);
    }

    /**
     * {@return the build-script's own directory: the parent of {@code OUT_DIR}
     * ({@code <target>/<profile>/build/<pkg>-<hash>}), or empty (always for a {@link Kind#MACRO rustc call})}
     */
    public Optional<Path> buildDir() {
        if (kind == Kind.MACRO) {
            return Optional.empty(); // OUT_DIR is the build script's; rustc calls of the package share it
        }
        return outDir().map(Path::getParent);
    }

    /**
     * Derives the target directory. For a build script, from {@code OUT_DIR}, which Cargo lays out as
     * {@code <target>[/<triple>]/<profile>/build/<pkg>-<hash>/out}. For a {@link Kind#RUN run}, from the
     * program's location: the nearest of its parent directories (at most four levels up) holding Cargo's
     * {@code CACHEDIR.TAG}, so {@code --target <triple>} and custom profiles need no guessing. For a
     * {@link Kind#MACRO rustc call}, the same from its {@code --out-dir}.
     *
     * @return the directory holding Cargo's output (usually {@code target}), or empty
     */
    public Optional<Path> targetDir() {
        if (kind == Kind.MACRO) {
            return dev.cordon.internal.invocation.RustcCall.parse(arguments, workingDirectory).targetDir();
        }
        if (kind == Kind.RUN) {
            Path dir = program.toAbsolutePath().getParent();
            for (int up = 0; dir != null && up < 4; up++, dir = dir.getParent()) {
                if (java.nio.file.Files.isRegularFile(dir.resolve("CACHEDIR.TAG"))) {
                    return Optional.of(dir);
                }
            }
            return Optional.empty();
        }
        Optional<Path> out = outDir();
        if (out.isEmpty()) {
            return Optional.empty();
        }
        Path buildParent = out.get().getParent() == null ? null : out.get().getParent().getParent();
        if (buildParent == null || !"build".equals(String.valueOf(buildParent.getFileName()))) {
            return Optional.empty();
        }
        Path profileDir = buildParent.getParent();
        if (profileDir == null || profileDir.getParent() == null) {
            return Optional.empty();
        }
        Path candidate = profileDir.getParent();
        // With --target the layout gains a <triple> level: target/<triple>/<profile>/build/...
        String triple = env("TARGET").orElse("");
        if (!triple.isEmpty() && triple.equals(String.valueOf(candidate.getFileName()))
                && candidate.getParent() != null) {
            candidate = candidate.getParent();
        }
        return Optional.of(candidate);
    }

    /** {@return the host triple ({@code HOST}), or empty} */
    public Optional<String> hostTriple() {
        return env("HOST");
    }

    /** {@return the target triple ({@code TARGET}), or empty} */
    public Optional<String> targetTriple() {
        return env("TARGET");
    }

    /** {@return the profile ({@code PROFILE}: {@code debug} or {@code release}), or empty} */
    public Optional<String> profile() {
        return env("PROFILE");
    }

    /**
     * {@return the enabled features, from the {@code CARGO_FEATURE_*} variables, lower-cased with
     * {@code _} for {@code -} as Cargo encodes them, sorted; never null}
     */
    public List<String> features() {
        List<String> features = new ArrayList<>();
        for (String key : environment.keySet()) {
            if (key.startsWith("CARGO_FEATURE_")) {
                features.add(key.substring("CARGO_FEATURE_".length()).toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(features);
    }

    /** {@return the full command: program then arguments; never null} */
    public List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(arguments);
        return List.copyOf(command);
    }

    /**
     * {@return the GNU make jobserver Cargo names in {@code CARGO_MAKEFLAGS}, or empty}. Backends hand its
     * descriptors on (or make its FIFO visible) so that {@code cc} and {@code make -j} inside the build
     * script share Cargo's job tokens.
     */
    public Optional<Jobserver> jobserver() {
        return Jobserver.parse(environment.get("CARGO_MAKEFLAGS"));
    }

    private Optional<String> env(String key) {
        String value = environment.get(key);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }
}
