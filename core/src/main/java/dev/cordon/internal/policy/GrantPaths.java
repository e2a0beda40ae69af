package dev.cordon.internal.policy;

import dev.cordon.RunnerInvocation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Paths every grant derives from an invocation. */
public final class GrantPaths {
    private GrantPaths() {
    }

    /**
     * The private temporary directory of one build-script run: {@code cordon-tmp} next to
     * {@code OUT_DIR} (inside the target dir, so it is on the same filesystem, survives for debugging and
     * is cleaned by {@code cargo clean}); without {@code OUT_DIR}, a folder under the system temp dir
     * named after the crate.
     *
     * @param invocation the invocation
     * @return the directory; it may not exist yet
     */
    public static Path temporaryDirectory(RunnerInvocation invocation) {
        return invocation.buildDir().map(d -> d.resolve("cordon-tmp")).orElseGet(() -> Path
                .of(System.getProperty("java.io.tmpdir"), "cordon-" + invocation.crateName().replaceAll(
                        "[^A-Za-z0-9_.-]", "_")));
    }

    /**
     * The user's home directory as the build script would see it: {@code HOME} from Cargo's
     * environment, else the JVM's {@code user.home}.
     *
     * @param invocation the invocation
     * @return the home directory, or empty when unknown
     */
    public static Optional<Path> home(RunnerInvocation invocation) {
        String home = invocation.environment().get("HOME");
        if (home == null || home.isEmpty()) {
            home = System.getProperty("user.home");
        }
        return home == null || home.isEmpty() ? Optional.empty() : Optional.of(Path.of(home));
    }

    /**
     * Cargo's home as the build script's Cargo would use it: {@code CARGO_HOME} when it is an absolute
     * path, else {@code $HOME/.cargo}.
     *
     * @param invocation the invocation
     * @return the directory, or empty when neither is known
     */
    public static Optional<Path> cargoHome(RunnerInvocation invocation) {
        String value = invocation.environment().get("CARGO_HOME");
        if (value != null && value.startsWith("/")) {
            return Optional.of(Path.of(value).normalize());
        }
        return home(invocation).map(h -> h.resolve(".cargo").normalize());
    }

    /**
     * The credential files every grant hides: those under {@code $HOME} (SSH keys, cloud and registry
     * tokens...) and Cargo's registry tokens under {@code CARGO_HOME}, wherever that points (it need
     * not be under {@code $HOME}).
     *
     * @param invocation the invocation
     * @return absolute, normalised paths; they may not exist
     */
    public static List<Path> secrets(RunnerInvocation invocation) {
        List<Path> secrets = new ArrayList<>();
        Optional<Path> home = home(invocation);
        if (home.isPresent()) {
            for (String s : DefaultPolicy.HOME_SECRETS) {
                secrets.add(home.get().resolve(s).normalize());
            }
        }
        Optional<Path> cargoHome = cargoHome(invocation);
        if (cargoHome.isPresent()) {
            for (String s : DefaultPolicy.CARGO_HOME_SECRETS) {
                Path p = cargoHome.get().resolve(s);
                if (!secrets.contains(p)) {
                    secrets.add(p);
                }
            }
        }
        return secrets;
    }
}
