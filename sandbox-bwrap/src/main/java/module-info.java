/** Cordon's bwrap sandbox support. */
module dev.cordon.sandbox.bwrap {
    requires dev.cordon.core;
}
