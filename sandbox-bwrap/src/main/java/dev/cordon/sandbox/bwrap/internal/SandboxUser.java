package dev.cordon.sandbox.bwrap.internal;

import dev.cordon.internal.net.RouteLayout;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The unprivileged user a build script runs as when the runner runs as root (issue 12).
 *
 * <p>A root runner still starts {@code bwrap} as root, without a user namespace, so that it can bind what
 * only root can reach (a workspace or toolchain under {@code /root}, which is mode 0700). The first process
 * in the sandbox is {@code setpriv}, holding only {@code CAP_SETUID}, {@code CAP_SETGID} and
 * {@code CAP_SETPCAP}; it switches to {@link #UID}/{@link #GID} with no supplementary groups, empties every
 * capability set including the bounding set, sets {@code no_new_privs}, and runs a shell that puts back
 * the variables it was not given (see {@link #WITHHELD}) and executes the script. The script's uid is then a
 * real unprivileged host uid: {@code /proc/sys}, {@code /etc/shadow} and every root-only file are closed
 * to it, as to any ordinary user.
 *
 * <p>Why 65534 ({@code nobody}/{@code nogroup}): it is the kernel's overflow id, present and mapped in every
 * user-namespace layout that maps the usual 0..65535 (rootless containers and CI runners), so the switch
 * works there too, where a dedicated high uid would not be mapped; by convention it owns no files and runs
 * nothing trusted. Files it creates belong to it only for the run (see
 * {@link dev.cordon.ExecutionPlan.Handover}).
 *
 * <p>The switch is made by {@code cordon-netjail drop} when this build of Cordon has it (one static program
 * that also puts the withheld variables back, see {@link dev.cordon.internal.net.RouteLayout}), else by
 * {@code setpriv} followed by a shell and {@code env}: three programs, each exec a few milliseconds of every
 * build script.
 *
 * @param helper {@code cordon-netjail} on the host, when the switch is its {@code drop} step
 * @param setpriv the {@code setpriv} executable (util-linux), when the switch is made with it
 * @param shell the shell that restores the withheld variables after {@code setpriv}: {@code /bin/bash} when
 *     present (it keeps variables whose names are not shell identifiers), else {@code /bin/sh}
 */
public record SandboxUser(Optional<Path> helper, Optional<Path> setpriv, Path shell) {

    /** The sandbox's uid. */
    public static final int UID = 65534;
    /** The sandbox's gid. */
    public static final int GID = 65534;

    /**
     * Variables the privileged first process must not see, because the dynamic loader or the C library acts
     * on them (loading libraries, locale data or character converters from a path, writing debug output):
     * every {@code LD_*} variable plus glibc's list for secure execution ({@code ld.so(8)}). Their values
     * (Cargo's {@code LD_LIBRARY_PATH} names {@code target/debug/deps}, which build scripts feed) go under
     * {@link #WITHHELD_PREFIX} names and are restored after the switch.
     */
    static final List<String> WITHHELD = List.of("GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES", "HOSTALIASES",
            "LOCALDOMAIN", "LOCPATH", "MALLOC_ARENA_MAX", "MALLOC_ARENA_TEST", "MALLOC_CHECK_", "MALLOC_MMAP_MAX_",
            "MALLOC_MMAP_THRESHOLD_", "MALLOC_PERTURB_", "MALLOC_TOP_PAD_", "MALLOC_TRACE", "MALLOC_TRIM_THRESHOLD_",
            "NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR", "TZDIR");
    /** The prefix under which withheld variables travel past the privileged process. */
    static final String WITHHELD_PREFIX = "CORDON_WITHHELD_";

    /** Checks the components. */
    public SandboxUser {
        Objects.requireNonNull(helper, "helper");
        Objects.requireNonNull(setpriv, "setpriv");
        Objects.requireNonNull(shell, "shell");
        if (helper.isEmpty() && setpriv.isEmpty()) {
            throw new IllegalArgumentException("a sandbox user needs cordon-netjail or setpriv for the switch");
        }
    }

    /**
     * The switch made by {@code setpriv} and a shell.
     *
     * @param setpriv the {@code setpriv} executable
     * @param shell the shell that restores the withheld variables
     */
    public SandboxUser(Path setpriv, Path shell) {
        this(Optional.empty(), Optional.of(setpriv), shell);
    }

    /**
     * {@return the switch made by {@code cordon-netjail drop}}
     *
     * @param helper {@code cordon-netjail} on the host
     */
    public static SandboxUser withHelper(Path helper) {
        return new SandboxUser(Optional.of(helper), Optional.empty(), Path.of("/bin/sh"));
    }

    /**
     * {@return the first words of the sandbox's command that switch to the sandbox user, run the host's
     * files (for a trial outside a plan: the helper at its host path)}
     */
    List<String> trialSwitch() {
        if (helper.isPresent()) {
            return List.of(helper.get().toString(), "drop", Integer.toString(UID), Integer.toString(GID), "--");
        }
        return List.of(setpriv.get().toString(), "--reuid=" + UID, "--regid=" + GID, "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--");
    }

    /** {@return whether the privileged first process must not see this variable} */
    static boolean withheld(String name) {
        return name.startsWith("LD_") || name.startsWith("MALLOC_") || WITHHELD.contains(name);
    }

    /** {@return whether this process runs as root (effective uid 0), so that scripts need a sandbox user} */
    static boolean runnerIsRoot() {
        return effectiveUid(Path.of("/proc/self/status")) == 0;
    }

    /** {@return the effective uid in a {@code /proc/<pid>/status} file, or -1 when it cannot be read} */
    static int effectiveUid(Path status) {
        try (FileInputStream in = new FileInputStream(status.toFile())) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 ? Integer.parseInt(ids[1]) : -1;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * {@return the tools a root runner needs: {@code cordon-netjail} from this build of Cordon, else
     * {@code setpriv} when installed}
     */
    static Optional<SandboxUser> find() {
        try {
            return Optional.of(withHelper(RouteLayout.helper()));
        } catch (dev.cordon.SandboxException noHelper) {
            // built without a C compiler: setpriv and a shell make the same switch, more slowly
        }
        for (Path setpriv : List.of(Path.of("/usr/bin/setpriv"), Path.of("/bin/setpriv"), Path.of("/usr/sbin/setpriv"))) {
            if (Files.isExecutable(setpriv)) {
                Path shell = Files.isExecutable(Path.of("/bin/bash")) ? Path.of("/bin/bash") : Path.of("/bin/sh");
                return Optional.of(new SandboxUser(setpriv, shell));
            }
        }
        return Optional.empty();
    }

    /**
     * The privileged first process, which switches to the sandbox user for good and puts the withheld
     * variables back under their names: {@code cordon-netjail drop} alone, or {@code setpriv} and a shell
     * after it (already unprivileged) that does the second part and executes the script. The shell's text
     * holds variable names only, never values.
     *
     * @param restored the variables that travel under {@link #WITHHELD_PREFIX} names
     * @param grantEnv the grant's variables
     * @return the words between {@code --} and the script
     */
    List<String> switchCommand(List<String> restored, Map<String, String> grantEnv) {
        if (helper.isPresent()) {
            // One static program: the switch, and the withheld variables back under their names.
            return List.of(RouteLayout.SANDBOX_HELPER, "drop", Integer.toString(SandboxUser.UID),
                    Integer.toString(SandboxUser.GID), "--");
        }
        StringBuilder script = new StringBuilder();
        for (String name : restored) {
            script.append("export ").append(name).append("=\"$").append(SandboxUser.WITHHELD_PREFIX).append(name)
                    .append("\"; unset ").append(SandboxUser.WITHHELD_PREFIX).append(name).append("; ");
        }
        // The shell adds PWD (and bash SHLVL) of its own: the script must see exactly the grant's variables.
        StringBuilder unset = new StringBuilder();
        for (String own : List.of("PWD", "SHLVL", "OLDPWD", "_")) {
            if (!grantEnv.containsKey(own)) {
                unset.append(" -u ").append(own);
            }
        }
        script.append("exec /usr/bin/env").append(unset).append(" -- \"$@\"");
        List<String> command = new ArrayList<>(trialSwitch());
        command.addAll(List.of(shell.toString(), "-c", script.toString(), "cordon-sandbox"));
        return command;
    }
}
