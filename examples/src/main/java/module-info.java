/** Reference runners built on Cordon's public API. */
module dev.cordon.examples {
    requires dev.cordon.core;
}
