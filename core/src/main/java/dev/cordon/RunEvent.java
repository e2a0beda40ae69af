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
 * @param timedOut the limit that killed the script ({@code "timeout"} or {@code "idle-timeout"}), if one
 *     did
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
        Optional<String> signal, Optional<String> timedOut, Optional<String> denial, Optional<String> declaredNeeds) {

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
            Optional<String> signal, Optional<String> timedOut, Optional<String> denial) {
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

    /** {@return true when a wall-clock or idle limit killed the script} */
    public boolean isTimedOut() {
        return timedOut.isPresent();
    }
}
