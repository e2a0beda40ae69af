package dev.cordon;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One finished build-script run, as a {@link dev.cordon.spi.RunListener} hears of it.
 *
 * @param crateName the package ({@code CARGO_PKG_NAME}); never null
 * @param crateVersion the package version ({@code CARGO_PKG_VERSION}), if Cargo gave one
 * @param policyName where the grant came from (a policy file's path or a short name); never null
 * @param policySha256 the lowercase hex SHA-256 of the policy file, when the policy came from a file
 * @param network the network mode granted; never null
 * @param writableCount how many paths the script could write
 * @param hiddenCount how many paths were hidden from the script
 * @param backendId the backend that ran the script; never null
 * @param command the argv the runner started, with the values of secret-looking variables
 *     ({@link Secrets#looksSecret}) replaced by {@code <redacted>}; never null
 * @param started when the script was started; never null
 * @param duration how long it ran; never null
 * @param exitCode the exit code the runner ends with (the script's own, or one of {@link ExitCodes})
 * @param signal the signal that ended the script (e.g. {@code SIGSEGV}), if one did
 * @param timedOut the time limit that killed the script, if one did
 * @param denial what the sandbox refused, as the backend recognised it from the script's failure (the
 *     same explanation the runner prints), if it recognised one
 * @param declaredNeeds what the package declares it needs in its own {@code Cargo.toml}
 *     ({@code [package.metadata.cordon.permissions.build]}), as the TOML keys of a policy table, if it
 *     declares anything; never granted by Cordon, only recorded next to the grant
 * @since 0.1
 */
public record RunEvent(String crateName, Optional<String> crateVersion, String policyName,
        Optional<String> policySha256, NetworkAccess.Mode network, int writableCount, int hiddenCount,
        String backendId, List<String> command, Instant started, Duration duration, int exitCode,
        Optional<String> signal, Optional<TimeLimit> timedOut, Optional<String> denial,
        Optional<String> declaredNeeds) {

    /**
     * An event of a package that declares nothing (the components before {@code declaredNeeds}).
     *
     * @param crateName see the record
     * @param crateVersion see the record
     * @param policyName see the record
     * @param policySha256 see the record
     * @param network see the record
     * @param writableCount see the record
     * @param hiddenCount see the record
     * @param backendId see the record
     * @param command see the record
     * @param started see the record
     * @param duration see the record
     * @param exitCode see the record
     * @param signal see the record
     * @param timedOut see the record
     * @param denial see the record
     */
    public RunEvent(String crateName, Optional<String> crateVersion, String policyName,
            Optional<String> policySha256, NetworkAccess.Mode network, int writableCount, int hiddenCount,
            String backendId, List<String> command, Instant started, Duration duration, int exitCode,
            Optional<String> signal, Optional<TimeLimit> timedOut, Optional<String> denial) {
        this(crateName, crateVersion, policyName, policySha256, network, writableCount, hiddenCount, backendId,
                command, started, duration, exitCode, signal, timedOut, denial, Optional.empty());
    }

    /** Checks and copies the components. */
    public RunEvent {
        Objects.requireNonNull(crateName, "crateName");
        Objects.requireNonNull(crateVersion, "crateVersion");
        Objects.requireNonNull(policyName, "policyName");
        Objects.requireNonNull(policySha256, "policySha256");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(backendId, "backendId");
        Objects.requireNonNull(denial, "denial");
        command = List.copyOf(command);
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(timedOut, "timedOut");
        Objects.requireNonNull(declaredNeeds, "declaredNeeds");
    }

    /**
     * Starts an event with what every event has; the rest defaults to "nothing happened": no version, no
     * policy hash, no network, no paths, no command, zero duration, exit code 0, no signal, timeout, denial or
     * declaration. Code that builds events with the builder keeps compiling when a component is added.
     *
     * @param crateName the package
     * @param policyName where the grant came from
     * @param backendId the backend that ran the script
     * @param started when the script was started
     * @return a builder
     */
    public static Builder builder(String crateName, String policyName, String backendId, Instant started) {
        return new Builder(crateName, policyName, backendId, started);
    }

    /** Builds a {@link RunEvent}; each setter sets the record component of the same name. */
    public static final class Builder {
        private final String crateName;
        private final String policyName;
        private final String backendId;
        private final Instant started;
        private Optional<String> crateVersion = Optional.empty();
        private Optional<String> policySha256 = Optional.empty();
        private NetworkAccess.Mode network = NetworkAccess.Mode.NONE;
        private int writableCount;
        private int hiddenCount;
        private List<String> command = List.of();
        private Duration duration = Duration.ZERO;
        private int exitCode;
        private Optional<String> signal = Optional.empty();
        private Optional<TimeLimit> timedOut = Optional.empty();
        private Optional<String> denial = Optional.empty();
        private Optional<String> declaredNeeds = Optional.empty();

        private Builder(String crateName, String policyName, String backendId, Instant started) {
            this.crateName = crateName;
            this.policyName = policyName;
            this.backendId = backendId;
            this.started = started;
        }

        /**
         * Sets the component.
         *
         * @param value the package version
         * @return this builder
         */
        public Builder crateVersion(Optional<String> value) {
            crateVersion = value;
            return this;
        }

        /**
         * Sets the component.
         *
         * @param value the policy file's hash
         * @return this builder
         */
        public Builder policySha256(Optional<String> value) {
            policySha256 = value;
            return this;
        }

        /**
         * Sets the component.
         *
         * @param value the network mode granted
         * @return this builder
         */
        public Builder network(NetworkAccess.Mode value) {
            network = value;
            return this;
        }

        /**
         * Sets the component.
         *
         * @param value how many paths were writable
         * @return this builder
         */
        public Builder writableCount(int value) {
            writableCount = value;
            return this;
        }

        /**
         * Sets the component.
         *
         * @param value how many paths were hidden
         * @return this builder
         */
        public Builder hiddenCount(int value) {
            hiddenCount = value;
            return this;
        }

        /**
         * Sets the component.
         *
         * @param value the argv started, redacted
         * @return this builder
         */
        public Builder command(List<String> value) {
            command = value;
            return this;
        }

        /**
         * Sets the component.
         *
         * @param value how long it ran
         * @return this builder
         */
        public Builder duration(Duration value) {
            duration = value;
            return this;
        }

        /**
         * Sets the component.
         *
         * @param value the runner's exit code
         * @return this builder
         */
        public Builder exitCode(int value) {
            exitCode = value;
            return this;
        }

        /**
         * Sets the component.
         *
         * @param value the signal that ended it
         * @return this builder
         */
        public Builder signal(Optional<String> value) {
            signal = value;
            return this;
        }

        /**
         * Sets the component.
         *
         * @param value the limit that killed it
         * @return this builder
         */
        public Builder timedOut(Optional<TimeLimit> value) {
            timedOut = value;
            return this;
        }

        /**
         * Sets the component.
         *
         * @param value what the sandbox refused
         * @return this builder
         */
        public Builder denial(Optional<String> value) {
            denial = value;
            return this;
        }

        /**
         * Sets the component.
         *
         * @param value what the package declares it needs
         * @return this builder
         */
        public Builder declaredNeeds(Optional<String> value) {
            declaredNeeds = value;
            return this;
        }

        /** {@return the event} */
        public RunEvent build() {
            return new RunEvent(crateName, crateVersion, policyName, policySha256, network, writableCount,
                    hiddenCount, backendId, command, started, duration, exitCode, signal, timedOut, denial,
                    declaredNeeds);
        }
    }

    /** {@return true when a wall-clock or idle limit killed the script} */
    public boolean isTimedOut() {
        return timedOut.isPresent();
    }
}
