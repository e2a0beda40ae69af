package dev.cordon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one build script may do: the decision a {@link Policy} makes for one {@link RunnerInvocation}.
 *
 * <p>A backend turns a grant into an {@link ExecutionPlan}. The filesystem model every backend
 * implements is: the whole filesystem readable, except {@link #hidden()} paths; nothing writable except
 * {@link #writable()}; backends that hide more by default (Bubblewrap replaces {@code $HOME} with an
 * empty directory) put {@link #readable()} paths back. Paths are absolute and normalised.
 *
 * @param crateName the package the grant is for; never null
 * @param policyName where the decision came from (a policy file's path or {@code "built-in defaults"});
 *     used in messages; never null
 * @param network the network allowed; never null
 * @param readable paths that stay readable even where the backend hides more than {@code hidden};
 *     never null
 * @param writable paths the script may write (always includes {@code OUT_DIR} and the temporary
 *     directory when known); never null
 * @param hidden paths the script must not see at all; hiding beats every permit; never null
 * @param environment the exact environment the script gets; never null
 * @param temporaryDirectory the private, writable {@code TMPDIR} of this run; never null
 * @param timeout the wall-clock limit, or empty for none
 * @param idleTimeout the limit on time without any output, or empty for none
 * @param source how the script sees its package directory; never null
 * @param liveLog where to copy the script's output live, line by line with a timestamp; empty for no live
 *     copy
 * @param syscalls the syscall filter to install where the backend can; never null
 * @param backend the backend the policy asked for: {@link BackendChoice#AUTO}, {@link BackendChoice#NONE} or
 *     one by id; never null
 * @param limits how much of the machine the script may use; never null
 * @param allowedDirectives build-script directives the policy allows although the directive firewall
 *     refuses them by default, each as {@code KEY=VALUE} (a trailing {@code *} matches a prefix); never null
 * @since 0.1
 */
public record Grant(String crateName, String policyName, NetworkAccess network, List<Path> readable,
        List<Path> writable, List<Path> hidden, Map<String, String> environment, Path temporaryDirectory,
        Optional<Duration> timeout, Optional<Duration> idleTimeout, SourceMode source,
        Optional<LiveLogSink> liveLog, SyscallRules syscalls, BackendChoice backend, ResourceLimits limits,
        List<String> allowedDirectives) {

    /** Checks and copies the components. */
    public Grant {
        Objects.requireNonNull(crateName, "crateName");
        Objects.requireNonNull(policyName, "policyName");
        Objects.requireNonNull(network, "network");
        readable = List.copyOf(readable);
        writable = List.copyOf(writable);
        hidden = List.copyOf(hidden);
        environment = Collections.unmodifiableMap(new TreeMap<>(environment));
        Objects.requireNonNull(temporaryDirectory, "temporaryDirectory");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(liveLog, "liveLog");
        Objects.requireNonNull(syscalls, "syscalls");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(limits, "limits");
        allowedDirectives = List.copyOf(allowedDirectives);
        timeout.ifPresent(t -> requirePositive("timeout", t));
        idleTimeout.ifPresent(t -> requirePositive("idle timeout", t));
    }

    /**
     * A grant with the default limits and no allowed directives (the components of version 0.1).
     *
     * @param crateName see the record
     * @param policyName see the record
     * @param network see the record
     * @param readable see the record
     * @param writable see the record
     * @param hidden see the record
     * @param environment see the record
     * @param temporaryDirectory see the record
     * @param timeout see the record
     * @param idleTimeout see the record
     * @param source see the record
     * @param liveLog see the record
     * @param syscalls see the record
     * @param backend see the record
     */
    public Grant(String crateName, String policyName, NetworkAccess network, List<Path> readable,
            List<Path> writable, List<Path> hidden, Map<String, String> environment, Path temporaryDirectory,
            Optional<Duration> timeout, Optional<Duration> idleTimeout, SourceMode source,
            Optional<LiveLogSink> liveLog, SyscallRules syscalls, BackendChoice backend) {
        this(crateName, policyName, network, readable, writable, hidden, environment, temporaryDirectory, timeout,
                idleTimeout, source, liveLog, syscalls, backend, ResourceLimits.defaults(), List.of());
    }

    private static void requirePositive(String what, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " (" + value + ") must be positive");
        }
    }

    /**
     * Starts a grant for a crate with the strictest settings: no network, nothing writable, empty
     * environment, syscall filter {@code default}, backend {@code auto}.
     *
     * @param crateName the package name
     * @param temporaryDirectory the private temporary directory of the run
     * @return a builder; never null
     */
    public static Builder builder(String crateName, Path temporaryDirectory) {
        return new Builder(crateName, temporaryDirectory);
    }

    /** {@return a builder holding this grant's values} */
    public Builder toBuilder() {
        Builder b = new Builder(crateName, temporaryDirectory);
        b.policyName = policyName;
        b.network = network;
        b.readable.addAll(readable);
        b.writable.addAll(writable);
        b.hidden.addAll(hidden);
        b.environment.putAll(environment);
        b.timeout = timeout;
        b.idleTimeout = idleTimeout;
        b.source = source;
        b.liveLog = liveLog;
        b.syscalls = syscalls;
        b.backend = backend;
        b.limits = limits;
        b.allowedDirectives.addAll(allowedDirectives);
        return b;
    }

    /** Builds a {@link Grant}. Not thread-safe. */
    public static final class Builder {
        private final String crateName;
        private final Path temporaryDirectory;
        private String policyName = "built-in defaults";
        private NetworkAccess network = NetworkAccess.none();
        private final List<Path> readable = new ArrayList<>();
        private final List<Path> writable = new ArrayList<>();
        private final List<Path> hidden = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Optional<Duration> timeout = Optional.empty();
        private Optional<Duration> idleTimeout = Optional.empty();
        private SourceMode source = SourceMode.READ_ONLY;
        private Optional<LiveLogSink> liveLog = Optional.empty();
        private SyscallRules syscalls = SyscallRules.defaults();
        private BackendChoice backend = BackendChoice.AUTO;
        private ResourceLimits limits = ResourceLimits.defaults();
        private final List<String> allowedDirectives = new ArrayList<>();

        private Builder(String crateName, Path temporaryDirectory) {
            this.crateName = Objects.requireNonNull(crateName, "crateName");
            this.temporaryDirectory = Objects.requireNonNull(temporaryDirectory, "temporaryDirectory");
        }

        /** @param value where the decision came from @return this builder */
        public Builder policyName(String value) {
            policyName = Objects.requireNonNull(value);
            return this;
        }

        /** @param value the network allowed @return this builder */
        public Builder network(NetworkAccess value) {
            network = Objects.requireNonNull(value);
            return this;
        }

        /** @param path a path to keep readable @return this builder */
        public Builder readable(Path path) {
            readable.add(path);
            return this;
        }

        /** @param path a path to make writable @return this builder */
        public Builder writable(Path path) {
            writable.add(path);
            return this;
        }

        /** @param path a path to hide @return this builder */
        public Builder hidden(Path path) {
            hidden.add(path);
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

        /** @param value the wall-clock limit, or null for none @return this builder */
        public Builder timeout(Duration value) {
            timeout = Optional.ofNullable(value);
            return this;
        }

        /** @param value the no-output limit, or null for none @return this builder */
        public Builder idleTimeout(Duration value) {
            idleTimeout = Optional.ofNullable(value);
            return this;
        }

        /** @param value how the package dir is seen @return this builder */
        public Builder source(SourceMode value) {
            source = Objects.requireNonNull(value);
            return this;
        }

        /** @param value where to copy the output live; null for no live copy @return this builder */
        public Builder liveLog(LiveLogSink value) {
            liveLog = Optional.ofNullable(value);
            return this;
        }

        /**
         * @param value {@code "stderr"}, {@code "tty"}, an absolute path or a path relative to the target dir; null
         *     for no live copy of the output
         * @return this builder
         * @throws IllegalArgumentException when the value is not a live-log sink
         * @deprecated the sink is a type now: use {@link #liveLog(LiveLogSink)} with {@link LiveLogSink#parse}
         *     or {@link LiveLogSink#file}
         */
        @Deprecated(since = "0.2")
        public Builder liveLog(String value) {
            return liveLog(value == null ? null : LiveLogSink.parse(value));
        }

        /** @param value the syscall rules @return this builder */
        public Builder syscalls(SyscallRules value) {
            syscalls = Objects.requireNonNull(value);
            return this;
        }

        /** @param value the backend to ask for @return this builder */
        public Builder backend(BackendChoice value) {
            backend = Objects.requireNonNull(value);
            return this;
        }

        /**
         * @param value {@code "auto"}, {@code "none"} or a backend id
         * @return this builder
         * @throws IllegalArgumentException when the value is not a backend id
         * @deprecated the choice is a type now: use {@link #backend(BackendChoice)} with {@link BackendChoice#of}
         */
        @Deprecated(since = "0.2")
        public Builder backend(String value) {
            return backend(BackendChoice.of(value));
        }

        /** @param value the resource limits @return this builder */
        public Builder limits(ResourceLimits value) {
            limits = Objects.requireNonNull(value);
            return this;
        }

        /**
         * @param entry a directive to allow, as {@code KEY=VALUE} (a trailing {@code *} matches a prefix)
         * @return this builder
         */
        public Builder allowDirective(String entry) {
            allowedDirectives.add(Objects.requireNonNull(entry));
            return this;
        }

        /** {@return the grant} */
        public Grant build() {
            return new Grant(crateName, policyName, network, dedupe(readable), dedupe(writable), dedupe(hidden),
                    environment, temporaryDirectory, timeout, idleTimeout, source, liveLog, syscalls, backend, limits,
                    allowedDirectives.stream().distinct().toList());
        }

        private static List<Path> dedupe(List<Path> paths) {
            return paths.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
        }
    }
}
