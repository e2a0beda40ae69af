package dev.cordon.internal.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a hung process tree was doing, read from {@code /proc} before it is killed: each process's
 * command, state, the kernel function it waits in, and its kernel stack where readable.
 */
public final class HangReport {
    private static final int MAX_PROCESSES = 12;

    private HangReport() {
    }

    /**
     * @param root the top of the hung tree
     * @return one line a process (with its kernel stack where readable)
     */
    public static List<String> of(ProcessHandle root) {
        List<String> report = new ArrayList<>();
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().limit(MAX_PROCESSES).forEach(tree::add);
        for (ProcessHandle p : tree) {
            Path proc = Path.of("/proc", Long.toString(p.pid()));
            String cmd = read(proc.resolve("cmdline")).replace('\0', ' ').strip();
            String state = field(read(proc.resolve("stat")));
            String wchan = read(proc.resolve("wchan")).strip();
            report.add("pid " + p.pid() + " [" + state + "] waiting in " + (wchan.isEmpty() ? "?" : wchan) + ": "
                    + (cmd.length() > 160 ? cmd.substring(0, 160) + "..." : cmd));
            String stack = read(proc.resolve("stack")).strip();
            if (!stack.isEmpty()) {
                for (String frame : stack.split("\n", 6)) {
                    report.add("    " + frame);
                }
            }
        }
        return report;
    }

    private static String field(String stat) {
        int close = stat.lastIndexOf(')');
        return close < 0 || close + 2 >= stat.length() ? "?" : stat.substring(close + 2, close + 3);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
