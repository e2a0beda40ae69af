package dev.cordon.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Cargo workspace in a temporary directory, built by real Cargo with a host runner:
 * {@code RUSTC_BOOTSTRAP=1 cargo build -Zhost-config -Ztarget-applies-to-host}, offline, with Debian's
 * packaged crate sources as the crates.io replacement, and a fresh target dir per build (Cargo does not
 * re-run a build script when only the runner changed). {@link #stable} switches it to Cordon's stable mode:
 * plain {@code cargo build} with {@code bin/cordon-rustc} as {@code [build] rustc-wrapper}, no {@code -Z}
 * flag and no {@code RUSTC_BOOTSTRAP}.
 */
public final class CargoProject {
    /** Where Debian's {@code librust-*-dev} packages put crate sources. */
    public static final Path DEBIAN_REGISTRY = Path.of("/usr/share/cargo/registry");

    private final Path root;
    private final Map<String, String> env = new TreeMap<>();
    private List<String> runner = List.of();
    private boolean stableCargo;
    private Path rustcWrapper;
    private String extraConfig = "";

    private CargoProject(Path root) {
        this.root = root;
    }

    /**
     * @param root an empty directory to create the workspace in
     * @return the project
     */
    public static CargoProject in(Path root) {
        return new CargoProject(root);
    }

    /** {@return the workspace root} */
    public Path root() {
        return root;
    }

    /**
     * Writes a file relative to the root.
     *
     * @param relative the path
     * @param content the text
     * @return this project
     */
    public CargoProject file(String relative, String content) {
        try {
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /**
     * Adds a package with a build script.
     *
     * @param name the package name
     * @param buildRs the build script source
     * @param mainRs the main source ({@code src/main.rs})
     * @param dependencies lines for {@code [dependencies]}
     * @return this project
     */
    public CargoProject binaryPackage(String name, String buildRs, String mainRs, String... dependencies) {
        file(name + "/Cargo.toml", "[package]\nname = \"" + name + "\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"
                + "build = \"build.rs\"\n\n[dependencies]\n" + String.join("\n", dependencies) + "\n");
        file(name + "/build.rs", buildRs);
        return file(name + "/src/main.rs", mainRs);
    }

    /**
     * Writes the workspace manifest naming the members, and the Cargo config: the runner, and the
     * offline Debian registry as crates.io.
     *
     * @param runner the runner argv for {@code [host] runner}
     * @param members the workspace members
     * @return this project
     */
    public CargoProject workspace(List<String> runner, String... members) {
        StringBuilder m = new StringBuilder();
        for (String member : members) {
            m.append(m.isEmpty() ? "" : ", ").append('"').append(member).append('"');
        }
        file("Cargo.toml", "[workspace]\nresolver = \"2\"\nmembers = [" + m + "]\n");
        this.runner = List.copyOf(runner);
        return writeConfig();
    }

    /**
     * Switches to Cordon's stable mode: {@code wrapper} becomes {@code [build] rustc-wrapper} in place of the
     * {@code [host] runner}, whose program the wrapper's launchers start ({@code CORDON_RUNNER}); a
     * {@code --policy FILE} runner argument becomes {@code CORDON_POLICY}, as {@code [env]} would set it.
     * Builds then run plain {@code cargo build}, without {@code -Z} flags or {@code RUSTC_BOOTSTRAP}.
     *
     * @param wrapper {@code bin/cordon-rustc}
     * @return this project
     */
    public CargoProject stable(Path wrapper) {
        stableCargo = true;
        rustcWrapper = wrapper;
        if (!runner.isEmpty()) {
            env("CORDON_RUNNER", runner.getFirst());
            List<String> args = runner.subList(1, runner.size());
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).equals("--policy") && i + 1 < args.size()) {
                    env("CORDON_POLICY", args.get(++i));
                } else {
                    throw new IllegalArgumentException("stable mode passes no runner arguments but --policy (as "
                            + "CORDON_POLICY); got " + args);
                }
            }
        }
        return writeConfig();
    }

    /**
     * Switches to plain stable Cargo without Cordon: no runner, no wrapper, no {@code -Z} flags.
     *
     * @return this project
     */
    public CargoProject withoutCordon() {
        stableCargo = true;
        rustcWrapper = null;
        runner = List.of();
        return writeConfig();
    }

    /**
     * Adds lines to {@code .cargo/config.toml}, e.g. a {@code [target.'cfg(all())'] runner} or {@code [env]}.
     *
     * @param toml whole TOML tables
     * @return this project
     */
    public CargoProject config(String toml) {
        extraConfig = extraConfig + toml + "\n";
        return writeConfig();
    }

    private CargoProject writeConfig() {
        StringBuilder r = new StringBuilder();
        for (String arg : runner) {
            r.append(r.isEmpty() ? "" : ", ").append(quote(arg));
        }
        String hook = rustcWrapper != null ? "[build]\nrustc-wrapper = " + quote(rustcWrapper.toString()) + "\n\n"
                : runner.isEmpty() ? "" : "[host]\nrunner = [" + r + "]\n\n";
        return file(".cargo/config.toml", hook + "[source.crates-io]\nreplace-with = \"debian\"\n\n[source.debian]\n"
                + "directory = \"" + DEBIAN_REGISTRY + "\"\n\n[net]\noffline = true\n" + extraConfig);
    }

    private static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * @param key a variable for Cargo's environment
     * @param value its value
     * @return this project
     */
    public CargoProject env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** {@return the path of {@code bin/cordon-runner} in this repository} */
    public static Path runnerLauncher() {
        return repositoryBin("cordon-runner");
    }

    /** {@return the path of {@code bin/cordon-rustc} in this repository, the stable mode's rustc wrapper} */
    public static Path rustcWrapper() {
        return repositoryBin("cordon-rustc");
    }

    private static Path repositoryBin(String name) {
        String root = System.getProperty("cordon.repositoryRoot");
        if (root == null) {
            throw new IllegalStateException("cordon.repositoryRoot is not set (surefire sets it)");
        }
        return Path.of(root, "bin", name);
    }

    /**
     * Builds with a fresh target dir.
     *
     * @param targetDir the target dir (fresh per build)
     * @param extraArgs more cargo arguments
     * @return what Cargo did
     */
    public Result build(Path targetDir, String... extraArgs) {
        return cargo("build", targetDir, extraArgs);
    }

    /**
     * Runs one Cargo command ({@code build}, {@code test}, {@code run}, {@code bench}) in this project's mode.
     *
     * @param command the Cargo subcommand
     * @param targetDir the target dir
     * @param extraArgs more cargo arguments (after {@code --}: the program's)
     * @return what Cargo did
     */
    public Result cargo(String command, Path targetDir, String... extraArgs) {
        Path cargo = RequiredTools.require("cargo");
        List<String> cmd = new ArrayList<>(List.of(cargo.toString(), command));
        if (!stableCargo) {
            cmd.addAll(List.of("-Zhost-config", "-Ztarget-applies-to-host"));
        }
        cmd.addAll(List.of("--offline", "--target-dir", targetDir.toString()));
        cmd.addAll(List.of(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        if (!stableCargo) {
            pb.environment().put("RUSTC_BOOTSTRAP", "1");
        } else {
            pb.environment().remove("RUSTC_BOOTSTRAP"); // stable mode means no -Z and no bootstrap
            pb.environment().remove("RUSTC_WRAPPER"); // it would override [build] rustc-wrapper
        }
        pb.environment().put("CARGO_TERM_COLOR", "never");
        pb.environment().put("CORDON_NO_AOT", "1"); // run this build's classes, not the last packaged jars
        pb.environment().put("PATH", cargo.getParent() + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        try {
            Path outFile = Files.createTempFile("cargo-out", ".txt");
            Path errFile = Files.createTempFile("cargo-err", ".txt");
            Process p = pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("cargo " + command + " did not finish in 15 minutes");
            }
            Result result = new Result(p.exitValue(), Files.readString(outFile), Files.readString(errFile), targetDir);
            Files.delete(outFile);
            Files.delete(errFile);
            return result;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * What one {@code cargo build} did.
     *
     * @param exitCode Cargo's exit status
     * @param stdout Cargo's stdout
     * @param stderr Cargo's stderr (its progress and the build scripts' failures)
     * @param targetDir the target dir used
     */
    public record Result(int exitCode, String stdout, String stderr, Path targetDir) {
        /**
         * Reads the {@code output} files Cargo kept of every build script (the script's stdout).
         *
         * @return package directory name ({@code <pkg>-<hash>}) to its output, with the target dir
         *     replaced by {@code $TARGET} so two builds can be compared
         */
        public Map<String, String> buildScriptOutputs() {
            Map<String, String> outputs = new TreeMap<>();
            Path build = targetDir.resolve("debug/build");
            if (!Files.isDirectory(build)) {
                return outputs;
            }
            try (Stream<Path> dirs = Files.list(build)) {
                for (Path dir : dirs.toList()) {
                    Path output = dir.resolve("output");
                    if (Files.isRegularFile(output)) {
                        outputs.put(dir.getFileName().toString(), new String(Files.readAllBytes(output),
                                StandardCharsets.UTF_8).replace(targetDir.toString(), "$TARGET"));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return outputs;
        }

        /**
         * @param packagePrefix e.g. {@code "probe-"}
         * @return the one build-script output of that package
         */
        public String outputOf(String packagePrefix) {
            return buildScriptOutputs().entrySet().stream().filter(e -> e.getKey().startsWith(packagePrefix))
                    .map(Map.Entry::getValue).findFirst()
                    .orElseThrow(() -> new AssertionError("no build-script output for " + packagePrefix + " in "
                            + buildScriptOutputs().keySet() + "\n" + stderr));
        }
    }
}
