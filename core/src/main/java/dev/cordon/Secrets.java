package dev.cordon;

import java.util.Locale;
import java.util.Set;

/**
 * Cordon's one notion of which environment variables hold secrets: used to drop them from a build
 * script's environment by default and to redact them in plans, logs and audit records.
 *
 * <p>The test is on the name alone and is applied to every name first, before any allow-list: a name
 * under a prefix that build tools commonly read ({@code OPENSSL_}, {@code CMAKE_}, {@code DEP_},
 * {@code CARGO_CFG_}) is still a secret when it says so ({@code OPENSSL_KEY_PASS},
 * {@code CMAKE_REMOTE_CACHE_AUTH}).
 *
 * @since 0.1
 */
public final class Secrets {
    private static final Set<String> EXACT = Set.of("SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO",
            "GNUPGHOME", "NETRC", "DOCKER_AUTH_CONFIG", "KUBECONFIG", "VAULT_ADDR", "NPM_CONFIG__AUTH");
    private static final String[] PREFIXES = {"AWS_", "AZURE_", "GOOGLE_APPLICATION_CREDENTIALS", "GCP_",
        "CLOUDSDK_", "OP_SESSION_", "CARGO_REGISTRY_TOKEN", "CARGO_REGISTRIES_"};
    /** Anywhere in the name: these never occur inside an innocent word. */
    private static final String[] FRAGMENTS = {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE",
        "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH_KEY", "SESSION_KEY"};
    /**
     * Whole words (between {@code _} or the ends of the name): short words that are secrets on their own
     * ({@code SMTP_PASS}, {@code HTTP_AUTH}) but also occur inside innocent words ({@code PASSTHROUGH},
     * {@code AUTHORS}, {@code PATH}).
     */
    private static final Set<String> WORDS = Set.of("PASS", "AUTH", "AUTHZ", "COOKIE", "PAT", "DEPLOY",
            "DSN", "MFA", "BEARER", "CREDS");

    private Secrets() {
    }

    /**
     * Tells whether a variable name looks like it holds a secret: {@code *_TOKEN}, {@code *SECRET*},
     * {@code *PASSWORD*}, {@code *_PASS}, {@code *_AUTH}, {@code AWS_*}, {@code SSH_AUTH_SOCK}, Cargo
     * registry tokens and similar, whatever prefix the name has.
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
        int start = 0;
        while (start <= upper.length()) {
            int end = upper.indexOf('_', start);
            if (end < 0) {
                end = upper.length();
            }
            if (end > start && WORDS.contains(upper.substring(start, end))) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
