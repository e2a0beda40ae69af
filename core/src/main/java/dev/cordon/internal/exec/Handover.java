package dev.cordon.internal.exec;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.SandboxException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives a plan's writable paths to the sandbox's user for one run and takes them back (issue 12).
 *
 * <p>{@link #over} runs before the process starts: when the sandbox runs as another user (a runner
 * started as root runs the script as an unprivileged user), it records the owner of every file under each
 * path and hands them all to that user. {@link Receipt#back} runs after the process and everything in its
 * sandbox has ended: it gives every file back (new files to the owner of the path they are under), and,
 * whoever the sandbox ran as, clears setuid and setgid bits on every file that is not a directory, naming
 * each one. A setuid file left in {@code OUT_DIR} would otherwise run as its owner outside the sandbox.
 *
 * <p>The walk never follows a symbolic link: directories and files are opened relative to their
 * parent's descriptor with {@code O_NOFOLLOW} (a {@link SecureDirectoryStream}), so a tree changed under
 * the walk by another sandbox that shares a writable path cannot make it change a file outside the path.
 * Only regular files and directories change owner: a symbolic link, FIFO or socket keeps the sandbox's
 * user (changing it would open the file, and a FIFO would block the runner; their owner grants nothing).
 * Directories keep their setgid bit: on a directory it only chooses the group of new files.
 *
 * <p>A {@link ExecutionPlan.Handover.Scope#SHARED_DIRECTORIES} handover gives only the directories
 * themselves, at the start of the run (never while the run is being planned or explained), and gives
 * nothing back. It sweeps nothing either: those folders hold every library of the build (and the
 * incremental folder thousands of files), too much to walk on every rustc call; there the syscall filter,
 * which refuses setuid and setgid bits when they are set, is the guard.
 */
public final class Handover {

    private Handover() {
    }

    /**
     * Hands the plan's writable paths to the sandbox's user, when it is another user.
     *
     * @param plan what to hand over; never null
     * @return what to give back after the run; never null
     * @throws SandboxException when a path cannot be handed over (the script could not write it)
     */
    public static Receipt over(ExecutionPlan.Handover plan) {
        Receipt receipt = new Receipt(plan);
        if (!plan.changesOwner()) {
            return receipt;
        }
        try {
            UserPrincipalLookupService lookup = plan.paths().isEmpty() ? null
                    : plan.paths().getFirst().getFileSystem().getUserPrincipalLookupService();
            receipt.sandboxUser = lookup == null ? null : lookup.lookupPrincipalByName(Integer.toString(plan.uid()));
            receipt.sandboxGroup = lookup == null ? null
                    : lookup.lookupPrincipalByGroupName(Integer.toString(plan.gid()));
            for (Path root : plan.paths()) {
                if (plan.scope() == ExecutionPlan.Handover.Scope.SHARED_DIRECTORIES) {
                    receipt.giveDirectory(root);
                } else {
                    receipt.giveAway(root);
                }
            }
        } catch (IOException e) {
            receipt.back();
            throw new SandboxException("cannot hand the writable paths " + plan.paths() + " to uid " + plan.uid()
                    + " for the build script: " + e.getMessage(), ExitCodes.SANDBOX_FAILED, e);
        }
        return receipt;
    }

    /** What was handed over, to give back once. */
    public static final class Receipt {
        private final ExecutionPlan.Handover plan;
        private final Map<Path, Owners> owners = new HashMap<>();
        private final List<String> warnings = new ArrayList<>();
        private UserPrincipal sandboxUser;
        private GroupPrincipal sandboxGroup;
        private boolean returned;

        private Receipt(ExecutionPlan.Handover plan) {
            this.plan = plan;
        }

        /**
         * Gives every path back and sweeps setuid and setgid bits. Call it once the process and its whole
         * sandbox have ended; later calls do nothing.
         *
         * @return one warning per file whose bits were cleared or that could not be given back; never null
         */
        public List<String> back() {
            if (returned) {
                return List.of();
            }
            returned = true;
            if (plan.scope() == ExecutionPlan.Handover.Scope.SHARED_DIRECTORIES) {
                return List.of();
            }
            for (Path root : plan.paths()) {
                try {
                    takeBack(root);
                } catch (IOException e) {
                    warnings.add("could not check " + root + " after the build script: " + e.getMessage());
                }
            }
            return List.copyOf(warnings);
        }

        /** Gives one directory (not what is in it) to the sandbox user, for good. */
        private void giveDirectory(Path dir) throws IOException {
            PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!view.readAttributes().isDirectory()) {
                throw new IOException(dir + " is not a directory (a link is never followed)");
            }
            view.setOwner(sandboxUser);
            view.setGroup(sandboxGroup);
        }

        private void giveAway(Path root) throws IOException {
            PosixFileAttributeView view = Files.getFileAttributeView(root, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributes attrs = view.readAttributes();
            Owners rootOwners = new Owners(attrs.owner(), attrs.group());
            if (rootOwners.user().equals(sandboxUser)) {
                // Left behind by a run that never gave it back (the runner was killed): give it to the owner of
                // the directory above, the build's user.
                PosixFileAttributes parent = Files.readAttributes(root.toAbsolutePath().getParent(),
                        PosixFileAttributes.class);
                rootOwners = new Owners(parent.owner(), parent.group());
            }
            owners.put(root, rootOwners);
            view.setOwner(sandboxUser);
            view.setGroup(sandboxGroup);
            if (attrs.isDirectory()) {
                walk(root, root, true);
            }
        }

        private void takeBack(Path root) throws IOException {
            PosixFileAttributeView view = Files.getFileAttributeView(root, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributes attrs = view.readAttributes();
            if (attrs.isSymbolicLink()) {
                return;
            }
            restore(root, view, attrs, root);
            if (attrs.isDirectory()) {
                walk(root, root, false);
            }
        }

        /** Visits every entry under a directory, opened without following links. */
        private void walk(Path root, Path dir, boolean giving) throws IOException {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
                    throw new IOException("this platform cannot walk " + dir + " without following links");
                }
                walk(root, dir, secure, giving);
            }
        }

        private void walk(Path root, Path dir, SecureDirectoryStream<Path> stream, boolean giving) throws IOException {
            for (Path entry : stream) {
                Path name = entry.getFileName();
                PosixFileAttributeView view = stream.getFileAttributeView(name, PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS);
                PosixFileAttributes attrs;
                try {
                    attrs = view.readAttributes();
                } catch (IOException e) {
                    warnings.add("could not check " + entry + ": " + e.getMessage());
                    continue;
                }
                if (!attrs.isRegularFile() && !attrs.isDirectory()) {
                    // Links, FIFOs and sockets: changing an owner opens the file (a FIFO would block the runner
                    // for good), and their owner gives nobody anything.
                    continue;
                }
                if (giving) {
                    owners.put(entry, new Owners(attrs.owner(), attrs.group()));
                    view.setOwner(sandboxUser);
                    view.setGroup(sandboxGroup);
                } else {
                    restore(entry, view, attrs, root);
                }
                if (attrs.isDirectory()) {
                    try (SecureDirectoryStream<Path> child = stream.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                        walk(root, entry, child, giving);
                    }
                }
            }
        }

        /** Gives one entry back to its owner and clears its setuid and setgid bits. */
        private void restore(Path entry, PosixFileAttributeView view, PosixFileAttributes attrs, Path root) {
            boolean regular = !attrs.isDirectory() && !attrs.isSymbolicLink();
            int setId = regular ? setIdBits(entry) : 0;
            try {
                if (plan.changesOwner()) {
                    Owners original = owners.getOrDefault(entry, owners.get(root));
                    if (original != null) {
                        view.setOwner(original.user());
                        view.setGroup(original.group());
                    }
                }
                if (setId != 0) {
                    // The rwx bits alone: what setPermissions writes, dropping setuid, setgid and sticky.
                    view.setPermissions(attrs.permissions());
                    warnings.add("cleared the " + (setId == 06000 ? "setuid and setgid bits" : setId == 04000
                            ? "setuid bit" : "setgid bit") + " of " + entry + ", set by the build script");
                }
            } catch (IOException e) {
                warnings.add("could not give " + entry + " back: " + e.getMessage());
            }
        }

        /** The setuid and setgid bits of a file ({@code unix:mode} is the one view that shows them). */
        private static int setIdBits(Path file) {
            try {
                Object mode = Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                return mode instanceof Integer m ? m & 06000 : 0;
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                return 0;
            }
        }
    }

    private record Owners(UserPrincipal user, GroupPrincipal group) {
    }
}
