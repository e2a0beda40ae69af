package dev.cordon.internal.policy.evaluation;

import dev.cordon.Grant;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.policy.model.PolicyModel;
import java.util.List;

/**
 * Cordon's secure defaults, used when no policy file is given: the {@link PolicyEngine} applied to a
 * policy with no tables.
 */
public final class DefaultPolicy implements Policy {
    /** The one instance. */
    public static final DefaultPolicy INSTANCE = new DefaultPolicy();

    /** Paths under {@code $HOME} that hold credentials; hidden from every build script by default. */
    static final List<String> HOME_SECRETS = List.of(".ssh", ".aws", ".gnupg", ".netrc", ".docker",
            ".kube", ".azure", ".config/gcloud", ".config/gh", ".config/hub", ".git-credentials",
            ".npmrc", ".pypirc", ".gem/credentials", ".m2/settings.xml", ".m2/settings-security.xml",
            ".password-store", ".local/share/keyrings", ".mozilla", ".config/google-chrome",
            ".config/chromium", ".cargo/credentials", ".cargo/credentials.toml", ".vault-token",
            ".terraform.d/credentials.tfrc.json");

    /**
     * Cargo's secrets under {@code CARGO_HOME}, wherever it is (the official Rust images use
     * {@code /usr/local/cargo}): the registry tokens. The rest of {@code CARGO_HOME} (registry sources, git
     * checkouts, installed binaries and their lists) holds no secret. {@code RUSTUP_HOME} holds none either:
     * rustup keeps no credentials on disk (a mirror's password would be in {@code RUSTUP_DIST_SERVER}, an
     * environment variable, not a file).
     */
    static final List<String> CARGO_HOME_SECRETS = List.of("credentials", "credentials.toml");

    private DefaultPolicy() {
    }

    @Override
    public String name() {
        return "built-in defaults";
    }

    @Override
    public Grant decide(RunnerInvocation invocation) {
        return PolicyEngine.decide(PolicyModel.EMPTY, name(), invocation);
    }
}
