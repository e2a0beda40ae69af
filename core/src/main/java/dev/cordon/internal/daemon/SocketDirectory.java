package dev.cordon.internal.daemon;

import dev.cordon.CordonException;
import dev.cordon.ExitCodes;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The directory that holds the daemon's socket. Only its owner may use it: it must be a real directory
 * (not a link) owned by this user with no group or world access, else another local user could answer
 * in the daemon's place or connect to it. A missing directory is created 0700.
 */
final class SocketDirectory {
    private SocketDirectory() {
    }

    /** {@return this process's user id} */
    static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    /**
     * @param directory the socket's directory
     * @throws CordonException when it is unsafe
     */
    static void secure(Path directory) {
        try {
            if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(directory,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException raced) {
                    // someone made it meanwhile: checked below like any other
                }
            }
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                throw refuse(directory, "it is not a directory (or is a symbolic link)");
            }
            int owner = (Integer) Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int uid = currentUid();
            if (owner != uid) {
                throw refuse(directory, "it belongs to uid " + owner + ", not to uid " + uid);
            }
            int mode = (Integer) Files.getAttribute(directory, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & 0077) != 0) {
                throw refuse(directory, String.format("its mode is %o; other users must have no access: "
                        + "chmod 700 %s", mode & 07777, directory));
            }
        } catch (IOException e) {
            throw new CordonException("cannot check the daemon's socket directory " + directory + ": "
                    + e.getMessage(), ExitCodes.SANDBOX_UNAVAILABLE);
        }
    }

    private static CordonException refuse(Path directory, String why) {
        return new CordonException("refusing the daemon socket directory " + directory + ": " + why,
                ExitCodes.SANDBOX_UNAVAILABLE);
    }
}
