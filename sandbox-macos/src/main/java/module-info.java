/** Cordon's macos sandbox support. */
module dev.cordon.sandbox.macos {
    requires dev.cordon.core;
}
