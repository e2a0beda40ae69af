/**
 * Cordon's Bubblewrap sandbox: runs each build script in fresh Linux namespaces with a read-only view
 * of the host, private temporary directories, no network and a scrubbed environment.
 *
 * @provides dev.cordon.spi.SandboxBackend
 */
module dev.cordon.sandbox.bwrap {
    requires transitive dev.cordon.core;

    exports dev.cordon.sandbox.bwrap;

    provides dev.cordon.spi.SandboxBackend with dev.cordon.sandbox.bwrap.BwrapBackend;
}
