package dev.cordon.sandbox.bwrap;

import dev.cordon.spi.SandboxBackend;
import dev.cordon.testing.BackendConformance;
import dev.cordon.testing.RequiredTools;

/** The conformance kit against Bubblewrap (Linux). */
class BwrapConformanceTest extends BackendConformance {

    @Override
    protected SandboxBackend backend() {
        return new BwrapBackend();
    }

    @Override
    protected void requirePlatform() {
        RequiredTools.require("bwrap");
    }
}
