package dev.cordon.internal.exec;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the {@link Spawner} does in the child between fork and exec, before the plan's command starts: join
 * the run's cgroups (so the sandbox and everything it starts count from its first instruction) and set
 * {@code RLIMIT_NOFILE} (soft and hard). Done by the process that execs the plan, not by extra programs in
 * front of it: each exec costs the build script a millisecond or more (docs/performance.md).
 *
 * @param cgroupProcs the {@code cgroup.procs} files the child writes its pid to, in order; a write that fails
 *     stops the start (the run must not go on outside its limits)
 * @param openFiles the open-files limit to set, if any
 */
public record ChildSetup(List<Path> cgroupProcs, OptionalLong openFiles) {
    /** Nothing to do between fork and exec. */
    public static final ChildSetup NONE = new ChildSetup(List.of(), OptionalLong.empty());

    /** Copies the list and checks the values. */
    public ChildSetup {
        cgroupProcs = List.copyOf(cgroupProcs);
        Objects.requireNonNull(openFiles, "openFiles");
        if (openFiles.isPresent() && openFiles.getAsLong() < 1) {
            throw new IllegalArgumentException("an open-files limit must be positive: " + openFiles);
        }
    }

    /** {@return whether there is nothing to do} */
    public boolean isEmpty() {
        return cgroupProcs.isEmpty() && openFiles.isEmpty();
    }
}
