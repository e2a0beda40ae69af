package dev.cordon;

import java.util.Locale;
import java.util.Set;

/**
 * Cordon's one notion of which environment variables hold secrets: used to drop them from a build
 * script's environment by default and to redact them in plans, logs and audit records.
 *
 * @since 0.1
 */
public final class Secrets {
    private static final Set<String> EXACT = Set.of("SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO",
            "GNUPGHOME", "NETRC", "DOCKER_AUTH_CONFIG", "KUBECONFIG", "VAULT_ADDR", "NPM_CONFIG__AUTH");
    private static final String[] PREFIXES = {"AWS_", "AZURE_", "GOOGLE_APPLICATION_CREDENTIALS", "GCP_",
        "CLOUDSDK_", "OP_SESSION_", "CARGO_REGISTRY_TOKEN", "CARGO_REGISTRIES_"};
    private static final String[] FRAGMENTS = {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE",
        "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH_KEY", "SESSION_KEY"};

    private Secrets() {
    }

    /**
     * Tells whether a variable name looks like it holds a secret: {@code *_TOKEN}, {@code *SECRET*},
     * {@code *PASSWORD*}, {@code AWS_*}, {@code SSH_AUTH_SOCK}, Cargo registry tokens and similar.
     *
     * @param name a variable name
     * @return true when the value should be treated as a secret
     */
    public static boolean looksSecret(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (EXACT.contains(upper)) {
            return true;
        }
        for (String prefix : PREFIXES) {
            if (upper.startsWith(prefix)) {
                return true;
            }
        }
        for (String fragment : FRAGMENTS) {
            if (upper.contains(fragment)) {
                return true;
            }
        }
        return false;
    }
}
