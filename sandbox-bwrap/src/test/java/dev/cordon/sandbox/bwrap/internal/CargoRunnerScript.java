package dev.cordon.sandbox.bwrap.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a bash host runner that asks {@link PlanPrinter} (in a JVM on this test's class path) for the
 * plan and {@code exec}s it with the plan's environment, so real Cargo can run build scripts through
 * this module's plans before (and independently of) the reference runner.
 */
final class CargoRunnerScript {
    private CargoRunnerScript() {
    }

    static Path write(Path dir) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path script = dir.resolve("bwrap-plan-runner");
        Files.writeString(script, """
                #!/bin/bash
                set -euo pipefail
                plan=$(mktemp)
                trap 'rm -f "$plan"' EXIT
                '%s' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '%s' %s "$@" > "$plan"
                mapfile -d '' argv < "$plan"
                rm -f "$plan"
                trap - EXIT
                exec env -i PATH=/usr/bin:/bin "${argv[@]}"
                """.formatted(java, classPath, PlanPrinter.class.getName()));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
