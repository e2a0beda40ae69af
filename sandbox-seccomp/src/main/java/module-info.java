/** Cordon's seccomp sandbox support. */
module dev.cordon.sandbox.seccomp {
    requires dev.cordon.core;
}
