package dev.cordon.sandbox.bwrap.internal;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.SandboxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a plan's writable paths become when the runner is root and the sandbox runs as {@link SandboxUser}:
 * handed over for the run (and back after it, by the supervisor), never a system directory.
 */
final class RootHandover {
    private RootHandover() {
    }

    /**
     * A root runner will not hand these directories (nor any directory above one of them) to the sandbox
     * user, even when a policy makes them writable: giving them away for the length of a run (or for good,
     * if the runner is killed) would give away the system.
     */
    static final List<Path> SYSTEM_DIRECTORIES = paths("/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32",
            "/lib64", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/usr", "/var", "/var/lib");
    /** Nor anything inside these. */
    static final List<Path> SYSTEM_TREES = paths("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64",
            "/proc", "/sbin", "/sys", "/usr", "/var/lib");

    private static List<Path> paths(String... names) {
        List<Path> paths = new ArrayList<>();
        for (String name : names) {
            paths.add(Path.of(name));
        }
        return List.copyOf(paths);
    }

    static ExecutionPlan.Handover of(Optional<SandboxUser> sandboxUser, Grant grant, List<Path> writable) {
        if (sandboxUser.isEmpty()) {
            return new ExecutionPlan.Handover(writable, -1, -1);
        }
        for (Path p : writable) {
            boolean system = false;
            for (Path dir : SYSTEM_DIRECTORIES) {
                system |= dir.startsWith(p);
            }
            for (Path tree : SYSTEM_TREES) {
                system |= p.startsWith(tree);
            }
            if (system) {
                throw new SandboxException("crate '" + grant.crateName() + "' may write " + p + ", but this runner "
                        + "runs as root and would have to hand " + p + " to the sandbox user (uid " + SandboxUser.UID
                        + ") for the run, which it will not do for a system directory: make a directory under the "
                        + "target dir or the package writable instead, or run cargo as an ordinary user",
                        ExitCodes.UNENFORCEABLE);
            }
        }
        return new ExecutionPlan.Handover(writable, SandboxUser.UID, SandboxUser.GID);
    }

    /**
     * A rustc call that loads proc macros writes folders of its own (its output and incremental folders; the
     * runner moves the outputs into the shared {@code deps} folder after the call): a root runner's plan gives
     * the directories themselves (not what is in them) to the sandbox user, for good, when the run starts
     * ({@link ExecutionPlan.Handover.Scope#SHARED_DIRECTORIES}), so that no walk runs over the incremental
     * folder's thousands of files on every call. Nothing happens while the plan is made.
     */
    static ExecutionPlan.Handover sharedDirectories(Optional<SandboxUser> sandboxUser, Grant grant, List<Path> writable) {
        ExecutionPlan.Handover checked = of(sandboxUser, grant, writable); // refuses system directories
        for (Path p : checked.changesOwner() ? writable : List.<Path>of()) {
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new SandboxException("crate '" + grant.crateName() + "': rustc loading its proc macros may write "
                        + p + ", which is not a directory; this runner runs as root, and gives a proc-macro call's "
                        + "writable paths to the sandbox user (uid " + SandboxUser.UID + ") as directories only: "
                        + "make the directory that holds it writable instead, or run cargo as an ordinary user",
                        ExitCodes.UNENFORCEABLE);
            }
        }
        return new ExecutionPlan.Handover(writable, checked.uid(), checked.gid(),
                ExecutionPlan.Handover.Scope.SHARED_DIRECTORIES);
    }
}
