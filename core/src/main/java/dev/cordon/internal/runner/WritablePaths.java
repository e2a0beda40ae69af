package dev.cordon.internal.runner;

import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.SandboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Granted writable paths that do not exist yet. A sandbox can only make writable what exists, so a missing
 * one would leave the script's writes to fail or, worse, to land somewhere private and vanish. Before a run
 * a missing path is created as a directory; a missing path whose name has an extension ({@code db.sqlite})
 * is probably a file the script means to create, so the run stops naming it instead of guessing.
 */
final class WritablePaths {
    private WritablePaths() {
    }

    /** What happens to one missing writable path: created as a directory, or the run fails. */
    record Missing(Path path, boolean created) {
        /** {@return the line {@code explain} prints} */
        String describe() {
            return created ? "writable " + path + " does not exist yet: created (as a directory) before the run"
                    : "writable " + path + " does not exist and looks like a file: the run fails until it exists "
                    + "(touch it, or grant its folder)";
        }
    }

    static List<Missing> missing(Grant grant) {
        List<Missing> missing = new ArrayList<>();
        for (Path p : grant.writable()) {
            if (!p.equals(grant.temporaryDirectory()) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                missing.add(new Missing(p, looksLikeDirectory(p)));
            }
        }
        return missing;
    }

    static void createMissing(Grant grant) {
        for (Missing m : missing(grant)) {
            if (!m.created()) {
                throw new SandboxException("crate '" + grant.crateName() + "' (policy " + grant.policyName()
                        + ") may write " + m.path() + ", which does not exist; its name looks like a file, so it is "
                        + "not created as a directory. Create it first (touch " + m.path() + ") or grant its folder "
                        + "instead", ExitCodes.SANDBOX_FAILED);
            }
            try {
                Files.createDirectories(m.path());
            } catch (IOException e) {
                throw new SandboxException("crate '" + grant.crateName() + "' (policy " + grant.policyName()
                        + ") may write " + m.path() + ", which does not exist and cannot be created: " + e,
                        ExitCodes.SANDBOX_FAILED, e);
            }
        }
    }

    private static boolean looksLikeDirectory(Path p) {
        String name = Optional.ofNullable(p.getFileName()).map(Path::toString).orElse("");
        int dot = name.lastIndexOf('.');
        return dot <= 0 || dot == name.length() - 1;
    }
}
