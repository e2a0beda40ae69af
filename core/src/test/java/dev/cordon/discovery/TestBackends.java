package dev.cordon.discovery;

import dev.cordon.ExecutionPlan;
import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.SyscallFilter;
import dev.cordon.spi.Availability;
import dev.cordon.spi.Capability;
import dev.cordon.spi.SandboxBackend;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** Small backends for discovery and selection tests; they plan the build script's own command. */
public final class TestBackends {
    private TestBackends() {
    }

    abstract static class Base implements SandboxBackend {
        @Override
        public Availability availability() {
            return Availability.available();
        }

        @Override
        public Set<Capability> capabilities() {
            return EnumSet.allOf(Capability.class);
        }

        @Override
        public ExecutionPlan plan(RunnerInvocation invocation, Grant grant, Optional<SyscallFilter> filter) {
            return ExecutionPlan.builder(id(), invocation.workingDirectory()).command(invocation.command())
                    .environment(grant.environment()).build();
        }
    }

    /** id alpha, priority 1. */
    public static final class Alpha extends Base {
        @Override
        public String id() {
            return "alpha";
        }

        @Override
        public int priority() {
            return 1;
        }
    }

    /** id beta, priority 5. */
    public static final class Beta extends Base {
        @Override
        public String id() {
            return "beta";
        }

        @Override
        public int priority() {
            return 5;
        }
    }

    /** Another class claiming id beta. */
    public static final class BetaImpostor extends Base {
        @Override
        public String id() {
            return "beta";
        }
    }

    /** id gamma, the highest priority, but unavailable. */
    public static final class Gamma extends Base {
        @Override
        public String id() {
            return "gamma";
        }

        @Override
        public int priority() {
            return 10;
        }

        @Override
        public Availability availability() {
            return Availability.unavailable("gamma needs the gamma tool: install it");
        }
    }
}
