package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Runner;
import dev.cordon.spi.SandboxBackend;
import dev.cordon.testing.CargoProject;
import dev.cordon.testing.RequiredTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.ServiceLoader;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example plugin {@code bwrap-strict} (module examples-plugin) is found by ServiceLoader in its own
 * jar, as a user's runner would find it. Surefire keeps it off this module's test class path.
 */
class PluginBackendTest {
    private static final String ID = "bwrap-strict";

    @TempDir
    Path dir;

    /** Packs examples-plugin/target/classes into a jar, as {@code mvn package} would. */
    private Path pluginJar() throws IOException {
        Path classes = Path.of(System.getProperty("cordon.repositoryRoot"), "examples-plugin", "target", "classes");
        assertTrue(Files.isDirectory(classes), classes + " missing: build the examples-plugin module first");
        Path jar = dir.resolve("cordon-examples-plugin.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static List<String> ids(ClassLoader loader) {
        return ServiceLoader.load(SandboxBackend.class, loader).stream().map(p -> p.get().id()).sorted().toList();
    }

    @Test
    void discovery_findsTheBackendOnlyWithItsJarOnTheClassLoader() throws Exception {
        ClassLoader tests = getClass().getClassLoader();
        assertTrue(!ids(tests).contains(ID), "the plugin leaked onto the test class path: " + ids(tests));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {pluginJar().toUri().toURL()}, tests)) {
            SandboxBackend backend = ServiceLoader.load(SandboxBackend.class, loader).stream()
                    .map(ServiceLoader.Provider::get).filter(b -> b.id().equals(ID)).findFirst().orElseThrow();
            assertEquals(loader, backend.getClass().getClassLoader());
            assertTrue(backend.priority() < 100, "auto must keep preferring Cordon's own bwrap backend");
            assertEquals(ids(tests).stream().filter(id -> !id.equals(ID)).toList(),
                    ids(loader).stream().filter(id -> !id.equals(ID)).toList());
        }
    }

    @Test
    void explain_policyNamingTheBackendPlansWithItAndHidesTheExtraPaths() throws Exception {
        RequiredTools.require("bwrap");
        Path policy = Files.writeString(dir.resolve("cordon.toml"), "[sandbox]\nbackend = \"" + ID + "\"\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {pluginJar().toUri().toURL()},
                getClass().getClassLoader())) {
            exit = Runner.builder().classLoader(loader).stdout(out).stderr(out).workingDirectory(dir).build()
                    .run("explain", "--policy", policy.toString(), "--crate", "probe");
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, text);
        assertTrue(text.contains(ID), text);
        assertTrue(text.contains("/etc/machine-id"), text);
    }

    @Test
    void cargo_buildScriptRunsUnderThePluginBackendFoundOnTheRunnersClassPath() throws Exception {
        RequiredTools.require("cargo");
        RequiredTools.require("bwrap");
        // A runner launcher whose class path is this test's plus the plugin jar: MinimalRunner, unchanged.
        Path launcher = dir.resolve("runner-with-plugin");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -cp '" + System.getProperty("java.class.path") + ":" + pluginJar()
                + "' dev.cordon.examples.MinimalRunner \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path policy = Files.writeString(dir.resolve("cordon.toml"), "[sandbox]\nbackend = \"" + ID + "\"\n");
        Path audit = dir.resolve("audit.jsonl");
        var result = CargoProject.in(dir.resolve("ws")).binaryPackage("probe", """
                fn main() {
                    for path in ["/etc/machine-id", "/etc/hostname"] {
                        let seen = std::fs::read(path).is_ok();
                        println!("cargo::warning={path}={}", if seen { "readable" } else { "hidden" });
                    }
                }
                """, "fn main() {}").workspace(List.of(launcher.toString(), "--policy", policy.toString()), "probe")
                .env("CORDON_AUDIT_LOG", audit.toString()).build(dir.resolve("target"));
        assertEquals(0, result.exitCode(), result.stderr());
        String output = result.outputOf("probe-");
        assertTrue(output.contains("cargo::warning=/etc/machine-id=hidden"), output);
        if (Files.isReadable(Path.of("/etc/hostname"))) {
            assertTrue(output.contains("cargo::warning=/etc/hostname=readable"), output);
        }
        String record = Files.readString(audit);
        assertTrue(record.contains("\"backend\":\"" + ID + "\""), record);
    }
}
