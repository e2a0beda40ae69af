package dev.cordon;

import dev.cordon.internal.daemon.PlanDaemon;
import dev.cordon.internal.exec.LocalSpawner;
import dev.cordon.internal.runner.RunnerEngine;
import dev.cordon.spi.InvocationDecoder;
import dev.cordon.spi.PolicyProvider;
import dev.cordon.spi.RunListener;
import dev.cordon.spi.SandboxBackend;
import dev.cordon.spi.SyscallFilterCompiler;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A Cargo host runner: the {@code main} of a program Cargo starts around every build script.
 *
 * <p>A complete runner:
 * {@snippet :
 * public static void main(String[] args) {
 *     System.exit(Runner.builder().build().run(args));
 * }
 * }
 *
 * <p>For each call the runner decodes the invocation, resolves the policy ({@link Builder#policy},
 * else {@code --policy FILE}, else {@code $CORDON_POLICY}, else a {@link PolicyProvider} jar, else
 * {@link Builder#fallbackPolicy}, else {@link Policies#defaults()}), decides the grant (changed by
 * {@link Builder#refineGrants} when set), picks a {@link SandboxBackend}, plans and runs the build
 * script, and ends with its exit status. It also answers {@code check} and {@code explain}. It never
 * runs a build script without a sandbox unless the policy names backend {@code "none"}.
 *
 * @since 0.1
 */
public final class Runner {
    private final Builder config;

    private Runner(Builder config) {
        this.config = config;
    }

    /** {@return a builder with discovery on and the process's own streams, directory and environment} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs one command line and returns the exit code to end the process with. Never calls
     * {@link System#exit}; never throws for bad input (the message goes to stderr and the exit code
     * tells the kind of failure, see {@link ExitCodes}).
     *
     * @param args the arguments the runner's {@code main} got
     * @return the exit code: the build script's own, or one of {@link ExitCodes}
     */
    public int run(String... args) {
        List<String> arguments = List.of(args);
        if (!arguments.isEmpty() && arguments.getFirst().equals(PlanDaemon.COMMAND)) {
            RunnerEngine.Settings settings = config.settings();
            try {
                return PlanDaemon.serve(settings, arguments);
            } catch (CordonException e) {
                try {
                    settings.stderr().write(("cordon: error: " + e.getMessage() + "\n").getBytes(
                            java.nio.charset.StandardCharsets.UTF_8));
                    settings.stderr().flush();
                } catch (java.io.IOException ignored) {
                    // nowhere left to say it: the exit code does
                }
                return e.exitCode();
            }
        }
        return new RunnerEngine(config.settings()).run(arguments);
    }

    /** Configures a {@link Runner}. Not thread-safe. */
    public static final class Builder {
        private Policy policy;
        private final List<SandboxBackend> backends = new ArrayList<>();
        private final List<InvocationDecoder> decoders = new ArrayList<>();
        private final List<SyscallFilterCompiler> compilers = new ArrayList<>();
        private final List<PolicyProvider> policyProviders = new ArrayList<>();
        private boolean discover = true;
        private ClassLoader classLoader = Runner.class.getClassLoader();
        private OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        private OutputStream stderr = new FileOutputStream(FileDescriptor.err);
        private Map<String, String> environment = System.getenv();
        private Path workingDirectory = Path.of("").toAbsolutePath();
        private Optional<String> backendPin = Optional.empty();
        private final List<RunListener> listeners = new ArrayList<>();
        private Policy fallbackPolicy;
        private BiFunction<RunnerInvocation, Grant, Grant> refinement;

        private Builder() {
        }

        /**
         * Uses this policy for every build script, ignoring {@code --policy} and {@code CORDON_POLICY}.
         *
         * @param value the policy
         * @return this builder
         */
        public Builder policy(Policy value) {
            policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        /**
         * Uses this policy when the call names no policy file ({@code --policy FILE}, {@code CORDON_POLICY})
         * and no {@link PolicyProvider} offers one, instead of {@link Policies#defaults()}. Unlike
         * {@link #policy}, a file the user names still wins.
         *
         * @param value the fallback policy
         * @return this builder
         */
        public Builder fallbackPolicy(Policy value) {
            fallbackPolicy = Objects.requireNonNull(value, "fallbackPolicy");
            return this;
        }

        /**
         * Changes, per call, the grant of whatever policy the runner resolves for that call ({@link #policy},
         * {@code --policy FILE}, {@code CORDON_POLICY}, a provider, {@link #fallbackPolicy}, the defaults):
         * the place for decisions a policy file cannot express. The function is called once per build script
         * (twice for {@code source = "copy"}), also by {@code explain}, and must be pure: read anything that
         * varies per call from {@link RunnerInvocation#environment()}, never from {@link System#getenv}
         * (a plan daemon serves many callers from one process, and its {@code main} ran once). Called again,
         * the builder composes: the later function sees the earlier one's grant.
         * {@snippet :
         * Runner.builder().refineGrants((invocation, grant) ->
         *         invocation.environment().getOrDefault("COPY_SOURCES", "").contains(grant.crateName())
         *                 ? grant.toBuilder().source(SourceMode.COPY).build() : grant)
         * }
         *
         * @param value turns the decided grant into the one the script runs with; must not return null
         * @return this builder
         */
        public Builder refineGrants(BiFunction<RunnerInvocation, Grant, Grant> value) {
            Objects.requireNonNull(value, "refineGrants");
            BiFunction<RunnerInvocation, Grant, Grant> before = refinement;
            refinement = before == null ? value : (invocation, grant) -> value.apply(invocation,
                    before.apply(invocation, grant));
            return this;
        }

        /** @param value a backend to offer besides discovered ones @return this builder */
        public Builder backend(SandboxBackend value) {
            backends.add(Objects.requireNonNull(value, "backend"));
            return this;
        }

        /** @param value a decoder to offer besides discovered ones @return this builder */
        public Builder decoder(InvocationDecoder value) {
            decoders.add(Objects.requireNonNull(value, "decoder"));
            return this;
        }

        /** @param value a syscall filter compiler to offer besides discovered ones @return this builder */
        public Builder syscallFilterCompiler(SyscallFilterCompiler value) {
            compilers.add(Objects.requireNonNull(value, "compiler"));
            return this;
        }

        /** @param value a policy provider to offer besides discovered ones @return this builder */
        public Builder policyProvider(PolicyProvider value) {
            policyProviders.add(Objects.requireNonNull(value, "policyProvider"));
            return this;
        }

        /**
         * Adds a listener told about every build script run, besides discovered ones and the audit log
         * {@code CORDON_AUDIT_LOG} switches on.
         *
         * @param value the listener
         * @return this builder
         */
        public Builder listener(RunListener value) {
            listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        /**
         * Turns {@link java.util.ServiceLoader} discovery of every SPI on or off (on by default). With it
         * off only providers added to this builder are used.
         *
         * @param value whether to discover
         * @return this builder
         */
        public Builder discoverProviders(boolean value) {
            discover = value;
            return this;
        }

        /** @param value the class loader discovery searches @return this builder */
        public Builder classLoader(ClassLoader value) {
            classLoader = Objects.requireNonNull(value, "classLoader");
            return this;
        }

        /**
         * Pins the backend, as {@code -Dcordon.backend} or {@code CORDON_BACKEND} would: every grant's
         * {@link Grant#backend()} is overridden.
         *
         * @param choice a backend by id, or {@link BackendChoice#NONE} to run without a sandbox (warned on every run)
         * @return this builder
         */
        public Builder pinBackend(BackendChoice choice) {
            backendPin = Optional.of(Objects.requireNonNull(choice, "choice").id());
            return this;
        }

        /**
         * Pins the backend by id.
         *
         * @param id a backend id, or {@code "none"} to run without a sandbox (warned on every run)
         * @return this builder
         * @throws IllegalArgumentException when the id is not a backend id
         * @deprecated the choice is a type now: use {@link #pinBackend(BackendChoice)}
         */
        @Deprecated(since = "0.2")
        public Builder pinBackend(String id) {
            return pinBackend(BackendChoice.of(Objects.requireNonNull(id, "id")));
        }

        /**
         * Sets where the build script's stdout (Cargo's protocol) and the runner's {@code cargo::warning}
         * lines go; the process's stdout by default.
         *
         * @param value the stream
         * @return this builder
         */
        public Builder stdout(OutputStream value) {
            stdout = Objects.requireNonNull(value, "stdout");
            return this;
        }

        /** @param value where stderr and the runner's messages go @return this builder */
        public Builder stderr(OutputStream value) {
            stderr = Objects.requireNonNull(value, "stderr");
            return this;
        }

        /** @param value the environment to read instead of the process's @return this builder */
        public Builder environment(Map<String, String> value) {
            environment = Map.copyOf(value);
            return this;
        }

        /** @param value the working directory to assume @return this builder */
        public Builder workingDirectory(Path value) {
            workingDirectory = value.toAbsolutePath();
            return this;
        }

        /** {@return the runner} */
        public Runner build() {
            return new Runner(this);
        }

        RunnerEngine.Settings settings() {
            return new RunnerEngine.Settings(Optional.ofNullable(policy), List.copyOf(backends),
                    List.copyOf(decoders), List.copyOf(compilers), List.copyOf(policyProviders), discover,
                    classLoader, stdout, stderr, environment, workingDirectory, backendPin, List.copyOf(listeners),
                    new LocalSpawner(), Optional.ofNullable(fallbackPolicy), Optional.ofNullable(refinement));
        }
    }
}
