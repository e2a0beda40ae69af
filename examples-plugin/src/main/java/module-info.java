/**
 * An example sandbox backend plugin: {@code bwrap-strict}, Cordon's Bubblewrap backend with more host
 * files hidden. Shows how a third party packages a {@link dev.cordon.spi.SandboxBackend} in its own jar.
 *
 * @provides dev.cordon.spi.SandboxBackend
 */
module dev.cordon.examples.plugin {
    requires transitive dev.cordon.core;
    requires dev.cordon.sandbox.bwrap;

    exports dev.cordon.examples.plugin;

    provides dev.cordon.spi.SandboxBackend with dev.cordon.examples.plugin.StrictBwrapBackend;
}
