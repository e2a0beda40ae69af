package dev.cordon.internal.exec;

import dev.cordon.ExecutionPlan;
import dev.cordon.ExitCodes;
import dev.cordon.SandboxException;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.Arrays;

/** The files a plan hands to its sandbox (bwrap's options, the seccomp filter), written before each run. */
final class PlanFiles {
    private PlanFiles() {
    }

    /**
     * Writes the plan's files, readable by their owner only (a plan file may carry the script's environment).
     * A file whose content is already right is left alone: a build script starting in parallel may be
     * reading it. Others are written to a temporary name and renamed into place.
     */
    static void write(ExecutionPlan plan) {
        // java.io, not NIO: see docs/performance.md (what the cold path loads).
        for (ExecutionPlan.PlanFile file : plan.files()) {
            File path = file.path().toAbsolutePath().toFile();
            try {
                byte[] content = file.content();
                if (path.isFile() && path.length() == content.length && Arrays.equals(read(path), content)) {
                    continue;
                }
                File parent = path.getParentFile();
                if (!parent.isDirectory() && !parent.mkdirs() && !parent.isDirectory()) {
                    throw new IOException("cannot create " + parent);
                }
                File temporary = new File(parent, path.getName() + "." + ProcessHandle.current().pid() + "."
                        + Thread.currentThread().threadId() + ".tmp");
                try (FileOutputStream out = new FileOutputStream(temporary)) {
                    // owner-only before the first byte is written
                    if (!temporary.setReadable(false, false) || !temporary.setWritable(false, false)
                            || !temporary.setReadable(true, true) || !temporary.setWritable(true, true)) {
                        throw new IOException("cannot make " + temporary + " private");
                    }
                    out.write(content);
                }
                if (!temporary.renameTo(path)) {
                    temporary.delete();
                    throw new IOException("cannot rename " + temporary + " to " + path);
                }
            } catch (IOException e) {
                throw new SandboxException("cannot write " + file.path() + " for the sandbox: " + e.getMessage(),
                        ExitCodes.SANDBOX_FAILED, e);
            }
        }
    }

    private static byte[] read(File file) throws IOException {
        try (FileInputStream in = new FileInputStream(file)) {
            return in.readAllBytes();
        }
    }
}
