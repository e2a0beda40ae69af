package dev.cordon.sandbox.bwrap.internal;

import dev.cordon.spi.Availability;
import dev.cordon.spi.CacheDirectory;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds {@code bwrap} and proves it can build a sandbox here, by running it once.
 *
 * <p>Only running it tells: Ubuntu 24.04's AppArmor ({@code kernel.apparmor_restrict_unprivileged_userns=1})
 * or {@code user.max_user_namespaces=0} let {@code bwrap --version} succeed and every sandbox fail.
 * The check costs a few milliseconds but sits on the path of every build script, so a success is cached
 * in a file keyed by everything that could change the answer: bwrap's real path, size and modification
 * time, the user, the boot, and the user-namespace sysctls. Failures are never cached.
 */
public final class BwrapProbe {

    /** The sysctls that decide whether unprivileged user namespaces work. */
    static final List<String> USERNS_SYSCTLS = List.of("user/max_user_namespaces",
            "kernel/apparmor_restrict_unprivileged_userns", "kernel/unprivileged_userns_clone");

    private static final String SEPARATOR = "\n--\n";

    private final Map<String, String> environment;
    private final Path procSys;
    private final Optional<Path> cacheDirectory;
    private final boolean runnerIsRoot;

    /**
     * Creates a probe for this process: a runner running as root gets the unprivileged sandbox user (never
     * assumed away: a root runner probed as an ordinary one would run scripts as root).
     *
     * @param environment the environment whose {@code PATH} is searched
     * @param procSys normally {@code /proc/sys}
     * @param cacheDirectory where successful probes are remembered, or empty for no file cache
     */
    public BwrapProbe(Map<String, String> environment, Path procSys, Optional<Path> cacheDirectory) {
        this(environment, procSys, cacheDirectory, SandboxUser.runnerIsRoot());
    }

    /**
     * Creates a probe.
     *
     * @param environment the environment whose {@code PATH} is searched
     * @param procSys normally {@code /proc/sys}
     * @param cacheDirectory where successful probes are remembered, or empty for no file cache
     * @param runnerIsRoot whether the runner runs as root, so that scripts run as the {@link SandboxUser}
     */
    public BwrapProbe(Map<String, String> environment, Path procSys, Optional<Path> cacheDirectory,
            boolean runnerIsRoot) {
        this.environment = Map.copyOf(environment);
        this.procSys = procSys;
        this.cacheDirectory = cacheDirectory;
        this.runnerIsRoot = runnerIsRoot;
    }

    /** {@return a probe of this machine, caching in Cordon's {@link CacheDirectory}} */
    public static BwrapProbe ofSystem() {
        return new BwrapProbe(System.getenv(), Path.of("/proc/sys"), CacheDirectory.path(), SandboxUser.runnerIsRoot());
    }

    /**
     * The outcome: the installation when usable, else why not.
     *
     * @param installation the bwrap to use, when usable
     * @param availability whether it is, with the reason when not
     * @param sandboxUser the user scripts run as, when this runner is root
     */
    public record Result(Optional<BwrapInstallation> installation, Availability availability,
            Optional<SandboxUser> sandboxUser) {
        /**
         * A result for a runner that is not root.
         *
         * @param installation the bwrap to use, when usable
         * @param availability whether it is
         */
        public Result(Optional<BwrapInstallation> installation, Availability availability) {
            this(installation, availability, Optional.empty());
        }
    }

    /** {@return whether bwrap works here; runs bwrap at most twice, and not at all on a cache hit} */
    public Result probe() {
        String os = System.getProperty("os.name", "");
        if (!os.equals("Linux")) {
            return unavailable("backend 'bwrap' needs Linux namespaces and this is " + os
                    + ": use backend 'macos' on macOS, or 'auto' to pick the best available one");
        }
        Optional<Path> found = find();
        if (found.isEmpty()) {
            return unavailable("bwrap not found on PATH (" + environment.getOrDefault("PATH", "") + "): "
                    + "install bubblewrap (apt-get install bubblewrap / dnf install bubblewrap)");
        }
        Path bwrap = found.get();
        Optional<SandboxUser> sandboxUser = Optional.empty();
        if (runnerIsRoot) {
            sandboxUser = SandboxUser.find();
            if (sandboxUser.isEmpty()) {
                return unavailable("this runner runs as root, so Cordon runs each build script as the unprivileged "
                        + "uid " + SandboxUser.UID + " and needs cordon-netjail (this build of Cordon has none: it was "
                        + "built without a C compiler) or setpriv (util-linux) for the switch, but there is no "
                        + "/usr/bin/setpriv: install util-linux (apt-get install util-linux), or run cargo as an "
                        + "ordinary user");
            }
        }
        // No lambdas or streams up to a cache hit: this runs in a fresh JVM per build script, where the
        // first lambda costs more than the whole check.
        String key = cacheKey(bwrap, sandboxUser.isEmpty() ? "" : String.join(" ", sandboxUser.get().trialSwitch()));
        Path cacheFile = key == null || cacheDirectory.isEmpty() ? null
                : cacheDirectory.get().resolve("bwrap-ok-" + Integer.toHexString(key.hashCode()));
        String cached = cacheFile == null ? null : readOrNull(cacheFile);
        // The file holds the whole key, then the version: a hash collision can never pass for a hit.
        if (cached != null && cached.startsWith(key + SEPARATOR)) {
            BwrapInstallation installation = BwrapInstallation.of(bwrap, cached.substring(key.length()
                    + SEPARATOR.length()));
            return new Result(Optional.of(installation), Availability.available(), sandboxUser);
        }
        Run version = run(List.of(bwrap.toString(), "--version"));
        if (version.status != 0) {
            return unavailable(bwrap + " --version failed (exit " + version.status + "): " + version.output.strip()
                    + "; reinstall bubblewrap (apt-get install --reinstall bubblewrap)");
        }
        BwrapInstallation installation = BwrapInstallation.of(bwrap, version.output);
        List<String> sandbox = new ArrayList<>(List.of(bwrap.toString()));
        if (sandboxUser.isPresent()) {
            // As the planner does for a root runner: no user namespace, and the switch to the sandbox user.
            sandbox.addAll(List.of("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                    "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add",
                    "CAP_SETPCAP", "--ro-bind", "/", "/", "--proc", "/proc", "--"));
            sandbox.addAll(sandboxUser.get().trialSwitch());
            sandbox.add("/bin/true");
        } else {
            sandbox.addAll(List.of("--unshare-all", "--unshare-user", "--cap-drop", "ALL"));
            if (installation.canDisableUserNamespaces()) {
                sandbox.add("--disable-userns");
            }
            sandbox.addAll(List.of("--ro-bind", "/", "/", "--", "/bin/true"));
        }
        Run trial = run(sandbox);
        if (trial.status != 0) {
            return unavailable(diagnose(String.join(" ", sandbox), trial.output, sysctls()));
        }
        if (cacheFile != null) {
            write(cacheFile, key + SEPARATOR + version.output);
        }
        return new Result(Optional.of(installation), Availability.available(), sandboxUser);
    }

    /**
     * Explains a failed trial sandbox, naming the setting that blocks it and the fix.
     *
     * @param command the trial command
     * @param output what bwrap printed
     * @param sysctls the user-namespace sysctls by name (see {@link #USERNS_SYSCTLS}), absent ones left out
     * @return the reason, with the fix
     */
    static String diagnose(String command, String output, Map<String, String> sysctls) {
        String said = "`" + command + "` failed: " + output.strip();
        if ("1".equals(sysctls.get("kernel/apparmor_restrict_unprivileged_userns"))) {
            return said + ". AppArmor blocks unprivileged user namespaces here "
                    + "(kernel.apparmor_restrict_unprivileged_userns=1, the Ubuntu 24.04 default). Fix: give bwrap an "
                    + "AppArmor profile that allows them, e.g. /etc/apparmor.d/bwrap containing "
                    + "'abi <abi/4.0>, include <tunables/global> profile bwrap /usr/bin/bwrap flags=(unconfined) "
                    + "{ userns, }' then `apparmor_parser -r /etc/apparmor.d/bwrap`; or, machine-wide and weaker, "
                    + "`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`";
        }
        if ("0".equals(sysctls.get("user/max_user_namespaces"))) {
            return said + ". User namespaces are switched off (user.max_user_namespaces=0). Fix: "
                    + "`sysctl -w user.max_user_namespaces=15000` (persist it in /etc/sysctl.d/)";
        }
        if ("0".equals(sysctls.get("kernel/unprivileged_userns_clone"))) {
            return said + ". Unprivileged user namespaces are switched off (kernel.unprivileged_userns_clone=0). "
                    + "Fix: `sysctl -w kernel.unprivileged_userns_clone=1` (persist it in /etc/sysctl.d/)";
        }
        return said + ". bwrap cannot create namespaces here (inside a container, the container runtime may "
                + "forbid it: allow user namespaces, or run the build outside the container)";
    }

    private Map<String, String> sysctls() {
        Map<String, String> values = new java.util.TreeMap<>();
        for (String name : USERNS_SYSCTLS) {
            String value = readOrNull(procSys.resolve(name));
            if (value != null) {
                values.put(name, value.strip());
            }
        }
        return values;
    }

    private Optional<Path> find() {
        for (String dir : environment.getOrDefault("PATH", "").split(":")) {
            if (dir.startsWith("/")) {
                Path candidate = Path.of(dir, "bwrap");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate.toAbsolutePath().normalize());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Everything that could change the probe's answer, or null when bwrap cannot be examined. Plain text,
     * hashed with {@code String.hashCode} for the file name: a digest would load the JCA providers.
     */
    private String cacheKey(Path bwrap, String sandboxUserKey) {
        try {
            Path real = bwrap.toRealPath();
            BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
            String bootId = readOrNull(procSys.resolve("kernel/random/boot_id"));
            StringBuilder key = new StringBuilder().append(real).append('\n').append(attrs.size()).append('\n')
                    .append(attrs.lastModifiedTime().toMillis()).append('\n')
                    .append(System.getProperty("user.name")).append(runnerIsRoot ? " (root)" : "").append('\n')
                    .append(sandboxUserKey).append('\n')
                    .append(bootId == null ? "" : bootId.strip()).append('\n');
            for (Map.Entry<String, String> sysctl : sysctls().entrySet()) {
                key.append(sysctl.getKey()).append('=').append(sysctl.getValue()).append('\n');
            }
            return key.toString();
        } catch (IOException e) {
            return null;
        }
    }

    private static String readOrNull(Path file) {
        // A FileInputStream, not Files.readString: NIO file channels load libnet and their own classes, a
        // millisecond on the cold path that nothing else there needs.
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), "bwrap-ok", ".tmp");
            Files.writeString(temp, content);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // A cache we cannot write only costs the next run another probe.
        }
    }

    private record Run(int status, String output) {
    }

    private static Run run(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(BwrapPlanner.BWRAP_ENVIRONMENT);
        try {
            Process p = pb.start();
            String output;
            try (InputStream in = p.getInputStream()) {
                output = new String(in.readNBytes(8192), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Run(-1, output + " (timed out after 10 s)");
            }
            return new Run(p.exitValue(), output);
        } catch (IOException e) {
            return new Run(-1, String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run(-1, "interrupted");
        }
    }

    private static Result unavailable(String reason) {
        return new Result(Optional.empty(), Availability.unavailable(reason));
    }
}
