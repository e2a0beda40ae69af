package dev.cordon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Exactly how to run one build script: a plain value a backend computes from an invocation and a
 * grant, which can be printed, compared and tested before anything runs.
 *
 * @param backendId the backend that made the plan; never null
 * @param command the argv to start, first element the executable; never empty
 * @param environment the exact environment of the started process (for Bubblewrap, the scrubbed
 *     environment of {@code bwrap} itself); never null
 * @param workingDirectory where the process starts; never null
 * @param descriptors file descriptors the process must have beyond 0, 1 and 2; never null
 * @param files files to write before the process starts (profiles, filters); never null
 * @param notes human-readable remarks for {@code explain} and logs (e.g. "routes not enforceable,
 *     widened"); never null
 * @param handover the paths the process may write, which the executor prepares before the run and sweeps
 *     after it; never null ({@link Handover#NONE} when there are none)
 * @since 0.1
 */
public record ExecutionPlan(String backendId, List<String> command, Map<String, String> environment,
        Path workingDirectory, List<Descriptor> descriptors, List<PlanFile> files, List<String> notes,
        Handover handover) {

    /**
     * Creates a plan without writable paths to hand over (the form before 0.2).
     *
     * @param backendId the backend that made the plan
     * @param command the argv
     * @param environment the process's environment
     * @param workingDirectory where it starts
     * @param descriptors descriptors it must hold
     * @param files files to write first
     * @param notes remarks
     */
    public ExecutionPlan(String backendId, List<String> command, Map<String, String> environment,
            Path workingDirectory, List<Descriptor> descriptors, List<PlanFile> files, List<String> notes) {
        this(backendId, command, environment, workingDirectory, descriptors, files, notes, Handover.NONE);
    }

    /** Checks and copies the components. */
    public ExecutionPlan {
        Objects.requireNonNull(backendId, "backendId");
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a plan needs a command");
        }
        environment = Collections.unmodifiableMap(new TreeMap<>(environment));
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        descriptors = List.copyOf(descriptors);
        files = List.copyOf(files);
        notes = List.copyOf(notes);
        Objects.requireNonNull(handover, "handover");
    }

    /**
     * The paths a sandboxed process may write, and who it runs as. Before the run, when the sandbox runs
     * as another user than the runner (a runner started as root runs the script as an unprivileged user),
     * the executor hands the paths to that user; after a {@link Scope#RUN} handover, in every case, it gives
     * them back and clears setuid and setgid bits under them, warning about each file.
     *
     * @param paths the writable files and directories, absolute; never null
     * @param uid the sandbox's user id, or -1 when it runs as the runner's own user (as {@code chown(2)}
     *     takes -1: no change)
     * @param gid the sandbox's group id, or -1 likewise
     * @param scope what is handed over, and whether it comes back; never null
     */
    public record Handover(List<Path> paths, int uid, int gid, Scope scope) {
        /** Nothing to hand over or sweep. */
        public static final Handover NONE = new Handover(List.of(), -1, -1);

        /** How far a handover reaches. */
        public enum Scope {
            /** Every path and everything under it, for the run; each file goes back to its owner after it. */
            RUN,
            /**
             * The directories themselves, not what is in them, for good: for the folders a proc-macro rustc call
             * writes (its private output and incremental folders, which the runner creates; Cordon moves the
             * outputs into the {@code deps} folder every rustc call shares after the call, as the runner's own
             * files). The sandbox user can add files and replace its own; nothing is given back, and nothing is
             * swept after the run (the incremental folder holds thousands of files): the syscall filter, which
             * refuses setuid and setgid bits, guards them. Every path must be a directory (never a link to one).
             */
            SHARED_DIRECTORIES
        }

        /** Checks and copies the components. */
        public Handover {
            paths = List.copyOf(paths);
            Objects.requireNonNull(scope, "scope");
            if (uid < -1 || gid < -1 || (uid == -1) != (gid == -1)) {
                throw new IllegalArgumentException("uid " + uid + " and gid " + gid
                        + " must both be -1 or both be user and group ids");
            }
        }

        /**
         * A handover of every path and its contents for the run ({@link Scope#RUN}).
         *
         * @param paths the writable files and directories, absolute; never null
         * @param uid the sandbox's user id, or -1
         * @param gid the sandbox's group id, or -1
         */
        public Handover(List<Path> paths, int uid, int gid) {
            this(paths, uid, gid, Scope.RUN);
        }

        /** {@return true when the paths go to another user for the run} */
        public boolean changesOwner() {
            return uid >= 0;
        }
    }

    /**
     * A file descriptor the started process must hold at a fixed number.
     *
     * @param number the descriptor number in the started process, 3 or more
     * @param source where its open file comes from; never null
     */
    public record Descriptor(int number, Source source) {
        /** Checks the components. */
        public Descriptor {
            if (number < 3) {
                throw new IllegalArgumentException("descriptor " + number + " must be 3 or more");
            }
            Objects.requireNonNull(source, "source");
        }

        /**
         * {@return a descriptor the runner itself inherited (e.g. a Cargo jobserver pipe), passed on at
         * the same number}
         *
         * @param number the descriptor number in both the runner and the started process
         */
        public static Descriptor inherited(int number) {
            return new Descriptor(number, new Inherited(number));
        }

        /**
         * {@return a file opened for reading at the given number (e.g. a seccomp filter for
         * {@code bwrap --seccomp})}
         *
         * @param number the descriptor number in the started process
         * @param file the file to open
         */
        public static Descriptor readFile(int number, Path file) {
            return new Descriptor(number, new ReadFile(file));
        }

        /**
         * {@return a connection to a Unix socket, made by the process that starts the command, between fork
         * and exec (e.g. the runner's network-route supervisor, for {@code cordon-netjail install})}
         *
         * @param number the descriptor number in the started process
         * @param socket the socket's path
         */
        public static Descriptor connectedTo(int number, Path socket) {
            return new Descriptor(number, new ConnectedSocket(socket));
        }
    }

    /** Where a {@link Descriptor}'s open file comes from. */
    public sealed interface Source permits Inherited, ReadFile, ConnectedSocket {
    }

    /**
     * The runner's own descriptor with this number.
     *
     * @param runnerNumber the descriptor number in the runner
     */
    public record Inherited(int runnerNumber) implements Source {
    }

    /**
     * A file opened read-only.
     *
     * @param file the file; never null
     */
    public record ReadFile(Path file) implements Source {
        /** Checks the component. */
        public ReadFile {
            Objects.requireNonNull(file, "file");
        }
    }

    /**
     * A stream connection to a Unix socket. Only some launch paths can make one (the plan daemon's client
     * can; a JVM starting the command cannot): a plan carries one only when its spawner said so.
     *
     * @param socket the socket's path; never null
     */
    public record ConnectedSocket(Path socket) implements Source {
        /** Checks the component. */
        public ConnectedSocket {
            Objects.requireNonNull(socket, "socket");
        }
    }

    /**
     * A file the executor writes before starting the process.
     *
     * @param path where to write it; never null
     * @param content its bytes; never null
     */
    public record PlanFile(Path path, byte[] content) {
        /** Checks and copies the components. */
        public PlanFile {
            Objects.requireNonNull(path, "path");
            content = content.clone();
        }

        /** {@return a copy of the content} */
        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof PlanFile that && path.equals(that.path)
                    && java.util.Arrays.equals(content, that.content);
        }

        @Override
        public int hashCode() {
            return path.hashCode() * 31 + java.util.Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "PlanFile[" + path + ", " + content.length + " bytes]";
        }
    }

    /**
     * Renders the plan for people: the command one argument a line, then the environment (values of
     * variables that look secret are shown as {@code <redacted>}), descriptors, files and notes.
     *
     * @return the description; never null
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("backend: ").append(backendId).append('\n');
        out.append("working directory: ").append(workingDirectory).append('\n');
        out.append("command:\n");
        for (String arg : command) {
            out.append("  ").append(arg).append('\n');
        }
        out.append("environment:\n");
        environment.forEach((k, v) -> out.append("  ").append(k).append('=')
                .append(Secrets.looksSecret(k) ? "<redacted>" : v).append('\n'));
        if (!descriptors.isEmpty()) {
            out.append("descriptors:\n");
            for (Descriptor d : descriptors) {
                out.append("  ").append(d.number()).append(" <- ").append(switch (d.source()) {
                    case Inherited i -> "runner fd " + i.runnerNumber();
                    case ReadFile r -> "read " + r.file();
                    case ConnectedSocket c -> "connected to " + c.socket();
                }).append('\n');
            }
        }
        if (!files.isEmpty()) {
            out.append("files:\n");
            for (PlanFile f : files) {
                out.append("  ").append(f.path()).append(" (").append(f.content.length).append(" bytes)\n");
            }
        }
        if (handover.changesOwner()) {
            out.append("handed to uid ").append(handover.uid()).append(" gid ").append(handover.gid())
                    .append(handover.scope() == Handover.Scope.RUN ? " for the run:\n"
                            : " for good, the directories only (shared with the build's other calls):\n");
            for (Path p : handover.paths()) {
                out.append("  ").append(p).append('\n');
            }
        }
        if (!notes.isEmpty()) {
            out.append("notes:\n");
            for (String n : notes) {
                out.append("  ").append(n).append('\n');
            }
        }
        return out.toString();
    }

    /** {@return a builder holding this plan's values} */
    public Builder toBuilder() {
        Builder b = new Builder(backendId, workingDirectory);
        b.command.addAll(command);
        b.environment.putAll(environment);
        b.descriptors.addAll(descriptors);
        b.files.addAll(files);
        b.notes.addAll(notes);
        b.handover = handover;
        return b;
    }

    /**
     * Starts a plan.
     *
     * @param backendId the backend making it
     * @param workingDirectory where the process starts
     * @return a builder; never null
     */
    public static Builder builder(String backendId, Path workingDirectory) {
        return new Builder(backendId, workingDirectory);
    }

    /** Builds an {@link ExecutionPlan}. Not thread-safe. */
    public static final class Builder {
        private final String backendId;
        private Path workingDirectory;
        private final List<String> command = new ArrayList<>();
        private final Map<String, String> environment = new TreeMap<>();
        private final List<Descriptor> descriptors = new ArrayList<>();
        private final List<PlanFile> files = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private Handover handover = Handover.NONE;

        private Builder(String backendId, Path workingDirectory) {
            this.backendId = Objects.requireNonNull(backendId);
            this.workingDirectory = Objects.requireNonNull(workingDirectory);
        }

        /** @param value where the process starts @return this builder */
        public Builder workingDirectory(Path value) {
            workingDirectory = Objects.requireNonNull(value);
            return this;
        }

        /** @param args arguments to append @return this builder */
        public Builder command(String... args) {
            command.addAll(List.of(args));
            return this;
        }

        /** @param args arguments to append @return this builder */
        public Builder command(List<String> args) {
            command.addAll(args);
            return this;
        }

        /** @param key a variable @param value its value @return this builder */
        public Builder environment(String key, String value) {
            environment.put(key, value);
            return this;
        }

        /** @param values variables to set @return this builder */
        public Builder environment(Map<String, String> values) {
            environment.putAll(values);
            return this;
        }

        /** @param value a descriptor to hand over @return this builder */
        public Builder descriptor(Descriptor value) {
            descriptors.add(value);
            return this;
        }

        /** @param value a file to write first @return this builder */
        public Builder file(PlanFile value) {
            files.add(value);
            return this;
        }

        /** @param value a remark @return this builder */
        public Builder note(String value) {
            notes.add(value);
            return this;
        }

        /** @param value the writable paths and the sandbox's user @return this builder */
        public Builder handover(Handover value) {
            handover = Objects.requireNonNull(value);
            return this;
        }

        /** {@return the plan} */
        public ExecutionPlan build() {
            return new ExecutionPlan(backendId, command, environment, workingDirectory, descriptors, files, notes,
                    handover);
        }
    }
}
