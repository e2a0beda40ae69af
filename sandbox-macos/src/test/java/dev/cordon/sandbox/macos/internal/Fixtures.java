package dev.cordon.sandbox.macos.internal;

import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Invocations and grants shaped like the ones Cargo and Cordon's default policy produce. */
final class Fixtures {
    private Fixtures() {
    }

    /** The secrets Cordon's default policy hides under {@code $HOME} (a representative part of them). */
    static final List<String> HOME_SECRETS = List.of(".ssh", ".aws", ".gnupg", ".netrc",
            ".cargo/credentials.toml", ".config/gh");

    /**
     * {@return a build-script call for a package under {@code workspace}}
     *
     * @param workspace the workspace root; the target dir is {@code workspace/target}
     * @param crate the package name
     * @param home {@code HOME}
     */
    static RunnerInvocation invocation(Path workspace, String crate, Path home) {
        Path build = workspace.resolve("target/debug/build/" + crate + "-0123abcd");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CARGO_PKG_NAME", crate);
        env.put("CARGO_PKG_VERSION", "1.0.0");
        env.put("CARGO_MANIFEST_DIR", workspace.resolve(crate).toString());
        env.put("OUT_DIR", build.resolve("out").toString());
        env.put("HOME", home.toString());
        env.put("PATH", "/usr/bin:/bin");
        env.put("TARGET", "aarch64-apple-darwin");
        env.put("HOST", "aarch64-apple-darwin");
        env.put("CARGO_MAKEFLAGS", "-j --jobserver-fds=3,4 --jobserver-auth=3,4");
        return RunnerInvocation.of(workspace.resolve("target/debug/build/" + crate + "-89abcdef/build-script-build"),
                workspace.resolve(crate), env);
    }

    /**
     * {@return a grant like the default policy's: OUT_DIR and the temporary directory writable, home
     * secrets hidden, the environment passed with {@code TMPDIR} set}
     *
     * @param invocation the call
     */
    static Grant.Builder defaultGrant(RunnerInvocation invocation) {
        Path tmp = invocation.buildDir().orElseThrow().resolve("cordon-tmp");
        Path home = Path.of(invocation.environment().get("HOME"));
        Grant.Builder grant = Grant.builder(invocation.crateName(), tmp).policyName("built-in defaults");
        grant.writable(invocation.outDir().orElseThrow()).writable(tmp);
        HOME_SECRETS.forEach(s -> grant.hidden(home.resolve(s)));
        grant.environment(invocation.environment()).environment("TMPDIR", tmp.toString());
        return grant;
    }
}
