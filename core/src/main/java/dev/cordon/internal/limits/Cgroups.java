package dev.cordon.internal.limits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where this process's cgroups are, read from {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}:
 * the cgroup v2 directory, and the cgroup v1 directories of the {@code pids} and {@code memory} controllers.
 * A directory is only reported when this process may create children in it.
 *
 * @param v2 this process's cgroup v2 directory, when {@code pids} and {@code memory} can be enabled for its
 *     children (delegated: a child may be created and the controllers are in its subtree)
 * @param v1Pids this process's cgroup v1 {@code pids} directory, when writable
 * @param v1Memory this process's cgroup v1 {@code memory} directory, when writable
 * @param why why no cgroup can be used, for {@code explain}; empty when one can
 */
record Cgroups(Optional<Path> v2, Optional<Path> v1Pids, Optional<Path> v1Memory, String why) {

    static Cgroups probe(Path proc) {
        Map<String, String> own = new HashMap<>();
        Map<String, String[]> mounts = new HashMap<>();
        try {
            for (String line : Files.readAllLines(proc.resolve("self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3) {
                    for (String controller : f[1].isEmpty() ? List.of("") : List.of(f[1].split(","))) {
                        own.put(controller, f[2]);
                    }
                }
            }
            for (String line : Files.readAllLines(proc.resolve("self/mountinfo"))) {
                int dash = line.indexOf(" - ");
                if (dash < 0) {
                    continue;
                }
                String[] left = line.substring(0, dash).split(" ");
                String[] right = line.substring(dash + 3).split(" ");
                if (left.length < 5 || right.length < 3) {
                    continue;
                }
                if (right[0].equals("cgroup2")) {
                    mounts.put("", new String[] {left[3], unescape(left[4])});
                } else if (right[0].equals("cgroup")) {
                    for (String option : right[2].split(",")) {
                        if (option.equals("pids") || option.equals("memory")) {
                            mounts.put(option, new String[] {left[3], unescape(left[4])});
                        }
                    }
                }
            }
        } catch (IOException e) {
            return new Cgroups(Optional.empty(), Optional.empty(), Optional.empty(), "cannot read " + proc
                    + "/self/cgroup or mountinfo: " + e.getMessage());
        }
        Optional<Path> pids = v1(own, mounts, "pids");
        Optional<Path> memory = v1(own, mounts, "memory");
        Optional<Path> v2 = v2(own, mounts);
        String why = "";
        if (v2.isEmpty() && (pids.isEmpty() || memory.isEmpty())) {
            why = "no cgroup Cordon may create children in (cgroup v2 not delegated with pids and memory, cgroup v1"
                    + " pids/memory hierarchies not writable)";
        }
        return new Cgroups(v2, pids, memory, why);
    }

    private static Optional<Path> v1(Map<String, String> own, Map<String, String[]> mounts, String controller) {
        return directory(own.get(controller), mounts.get(controller)).filter(Files::isWritable);
    }

    private static Optional<Path> v2(Map<String, String> own, Map<String, String[]> mounts) {
        Optional<Path> dir = directory(own.get(""), mounts.get(""));
        if (dir.isEmpty() || !Files.isWritable(dir.get())) {
            return Optional.empty();
        }
        try {
            String controllers = Files.readString(dir.get().resolve("cgroup.controllers"));
            String subtree = Files.readString(dir.get().resolve("cgroup.subtree_control"));
            if (List.of(controllers.trim().split(" ")).containsAll(List.of("pids", "memory"))
                    && List.of(subtree.trim().split(" ")).containsAll(List.of("pids", "memory"))) {
                return dir;
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The directory of a cgroup path in a hierarchy mounted with the given root at the given point. */
    private static Optional<Path> directory(String cgroup, String[] mount) {
        if (cgroup == null || mount == null) {
            return Optional.empty();
        }
        String root = mount[0];
        String relative;
        if (root.equals("/")) {
            relative = cgroup;
        } else if (cgroup.equals(root) || cgroup.startsWith(root + "/")) {
            relative = cgroup.substring(root.length());
        } else {
            return Optional.empty();
        }
        Path dir = Path.of(mount[1] + (relative.startsWith("/") || relative.isEmpty() ? relative : "/" + relative));
        return Files.isDirectory(dir) ? Optional.of(dir.normalize()) : Optional.empty();
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 4 <= field.length()) {
                try {
                    out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
