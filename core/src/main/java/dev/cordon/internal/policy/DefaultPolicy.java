package dev.cordon.internal.policy;

import dev.cordon.Grant;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Cordon's secure defaults, used when no policy file is given. */
final class DefaultPolicy implements Policy {
    static final DefaultPolicy INSTANCE = new DefaultPolicy();

    /** Paths under {@code $HOME} that hold credentials; hidden from every build script by default. */
    static final List<String> HOME_SECRETS = List.of(".ssh", ".aws", ".gnupg", ".netrc", ".docker",
            ".kube", ".azure", ".config/gcloud", ".config/gh", ".config/hub", ".git-credentials",
            ".npmrc", ".pypirc", ".gem/credentials", ".m2/settings.xml", ".m2/settings-security.xml",
            ".password-store", ".local/share/keyrings", ".mozilla", ".config/google-chrome",
            ".config/chromium", ".cargo/credentials", ".cargo/credentials.toml", ".vault-token",
            ".terraform.d/credentials.tfrc.json");

    private DefaultPolicy() {
    }

    @Override
    public String name() {
        return "built-in defaults";
    }

    @Override
    public Grant decide(RunnerInvocation invocation) {
        Path tmp = GrantPaths.temporaryDirectory(invocation);
        Grant.Builder grant = Grant.builder(invocation.crateName(), tmp).policyName(name());
        invocation.outDir().ifPresent(grant::writable);
        grant.writable(tmp);
        GrantPaths.home(invocation).ifPresent(home -> HOME_SECRETS.forEach(s -> grant.hidden(home.resolve(s))));
        for (Map.Entry<String, String> e : invocation.environment().entrySet()) {
            if (BuildScriptEnvironment.passesByDefault(e.getKey())) {
                grant.environment(e.getKey(), e.getValue());
            }
        }
        grant.environment("TMPDIR", tmp.toString());
        return grant.build();
    }
}
