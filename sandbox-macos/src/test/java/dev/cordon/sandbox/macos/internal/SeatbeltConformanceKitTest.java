package dev.cordon.sandbox.macos.internal;

import dev.cordon.spi.SandboxBackend;
import dev.cordon.testing.BackendConformance;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The conformance kit against Seatbelt. It runs only on macOS (this project's CI is Linux, so there it is
 * skipped with this reason; it has not been run on a Mac yet).
 */
@EnabledOnOs(value = OS.MAC, disabledReason = "Seatbelt (sandbox-exec) exists only on macOS")
class SeatbeltConformanceKitTest extends BackendConformance {

    @Override
    protected SandboxBackend backend() {
        return new SeatbeltBackend();
    }

    @Override
    protected void requirePlatform() {
        // @EnabledOnOs keeps this class off every other platform
    }
}
