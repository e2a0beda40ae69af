package dev.cordon.policy;

import dev.cordon.RunnerInvocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Shared test data: policy files from the test resources, invocations laid out as Cargo does. */
final class Fixtures {
    /** Where test policies pretend to live; relative paths resolve against it. */
    static final Path POLICY = Path.of("/work/project/cordon.toml");

    private Fixtures() {
    }

    static String resource(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/policies/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource policies/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path copy(String name, Path dir) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, resource(name));
        return file;
    }

    /** A build-script invocation of a crate in a workspace at /work/project, as Cargo 1.95 lays it out. */
    static RunnerInvocation invocation(String crate) {
        return invocation(crate, Map.of());
    }

    static RunnerInvocation invocation(String crate, Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>();
        String out = "/work/project/target/debug/build/" + crate + "-0123456789abcdef/out";
        env.put("OUT_DIR", out);
        env.put("CARGO_PKG_NAME", crate);
        env.put("CARGO_MANIFEST_DIR", "/registry/" + crate + "-1.0.0");
        env.put("HOME", "/home/dev");
        env.put("PATH", "/usr/bin:/bin");
        env.put("TARGET", "x86_64-unknown-linux-gnu");
        env.putAll(extraEnv);
        return RunnerInvocation.of(Path.of(out).getParent().resolve("build-script-build"),
                Path.of("/registry/" + crate + "-1.0.0"), env);
    }
}
