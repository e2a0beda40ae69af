/**
 * Cordon's macOS backend: runs build scripts under {@code sandbox-exec} with a Seatbelt (SBPL) profile
 * generated from the grant. Exports nothing; the backend is found through
 * {@link dev.cordon.spi.SandboxBackend} with id {@code "macos"}.
 *
 * @provides dev.cordon.spi.SandboxBackend
 */
module dev.cordon.sandbox.macos {
    requires dev.cordon.core;

    provides dev.cordon.spi.SandboxBackend with dev.cordon.sandbox.macos.internal.SeatbeltBackend;
}
