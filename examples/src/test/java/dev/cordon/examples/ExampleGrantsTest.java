package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same call gives the same grant on every launch path: every example main, built by real Cargo once
 * cold (a JVM per script) and once warm (the thin client and the plan daemon), with a policy named by
 * {@code --policy}. The grant is compared through what the script saw and the audit record (policy, network,
 * counts and the sandbox's command line).
 */
class ExampleGrantsTest {
    private static Path dir;
    private static LaunchPaths paths;

    @BeforeAll
    static void start() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        dir = Files.createTempDirectory("cdg"); // short: the daemon's socket path must fit
        paths = LaunchPaths.in(dir.resolve("launch"));
    }

    @AfterAll
    static void stop() throws IOException {
        paths.close();
    }

    private static final String PRINTS_ITS_GRANT = """
            fn main() {
                for key in ["PROBE_POLICY", "SOURCE_DATE_EPOCH", "TMPDIR"] {
                    println!("cargo::warning={key}={}", std::env::var(key).unwrap_or_else(|_| "<absent>".into()));
                }
            }
            """;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"MinimalRunner", "ReadOnlySourceRunner", "DebuggingRunner", "EnvironmentControlRunner"})
    void everyExampleMain_givesTheNamedPolicysGrantOnEveryLaunchPath(String main) throws IOException {
        Path policy = Files.writeString(dir.resolve(main + "-strict.toml"), """
                [permissions.build.probe]
                env = { set = { PROBE_POLICY = "strict" } }
                timeout = "7m"
                """);
        Map<String, String> seen = new LinkedHashMap<>();
        // The host-runner paths: the stable wrapper's marker changes every artifact hash, so its paths differ;
        // the team path is a main of its own, and this test names the main.
        for (LaunchPaths.LaunchPath path : paths.all().stream().filter(p -> !p.name().equals("stable")
                && !p.name().equals("team")).toList()) {
            Path root = dir.resolve(main).resolve(path.name());
            Path audit = root.resolve("audit.jsonl");
            CargoProject project = CargoProject.in(root.resolve("ws")).binaryPackage("probe", PRINTS_ITS_GRANT,
                    "fn main() {}");
            path.wire(project, List.of("--policy", policy.toString()), "probe");
            project.env("CORDON_RUNNER_MAIN", "dev.cordon.examples." + main).env("CORDON_AUDIT_LOG", audit.toString());
            long served = paths.plansServedWarm();
            var result = path.build(project, root.resolve("target"));
            if (path.name().equals("warm") && paths.plansServedWarm() == served) {
                // The client runs a cold JVM itself when a new daemon is slow to start (a loaded machine): build
                // again, fresh, now that the daemon is up, since this test is about the daemon's answer.
                Files.deleteIfExists(audit);
                result = path.build(project, root.resolve("target2"));
            }
            assertEquals(0, result.exitCode(), path + ": " + result.stderr());
            assertEquals(path.name().equals("warm") ? 1 : 0, paths.plansServedWarm() - served,
                    path + ": plans the daemon served");
            String out = result.outputOf("probe-");
            assertTrue(out.contains("cargo::warning=PROBE_POLICY=strict"), path + " ignored --policy:\n" + out);
            List<String> records = Files.readAllLines(audit);
            assertEquals(1, records.size(), path + ": " + records);
            String record = records.getFirst();
            assertEquals(policy.toString(), field(record, "policy"), path + ": " + record);
            seen.put(path.name(), (out + "\n" + grantOf(record)).replace(root.toString(), "$ROOT")
                    .replace("$ROOT/target2", "$ROOT/target"));
        }
        assertEquals(1, seen.values().stream().distinct().count(), "the grants differ by launch path: " + seen);
    }

    private static String field(String record, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(record);
        return m.find() ? m.group(1) : "<none>";
    }

    /** The parts of an audit record that describe the grant (not the time, the duration, the exit code). */
    private static String grantOf(String record) {
        return record.replaceAll("\"time\":\"[^\"]*\",", "").replaceAll(",\"durationMs\":\\d+", "");
    }
}
