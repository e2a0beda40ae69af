package dev.cordon.internal.policy;

import dev.cordon.Grant;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A policy read from a TOML file (or from the compiled-policy cache): a validated {@link PolicyModel}
 * evaluated by the {@link PolicyEngine}.
 */
public final class TomlPolicy implements Policy {
    private final PolicyModel model;
    private final String name;

    /**
     * Creates the policy.
     *
     * @param model the validated model
     * @param file the policy file; its absolute path is the policy's name
     */
    public TomlPolicy(PolicyModel model, Path file) {
        this.model = Objects.requireNonNull(model, "model");
        this.name = file.toAbsolutePath().normalize().toString();
    }

    /** {@return the validated model} */
    public PolicyModel model() {
        return model;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Grant decide(RunnerInvocation invocation) {
        return PolicyEngine.decide(model, name, invocation);
    }

    @Override
    public List<String> notices() {
        List<String> notices = new ArrayList<>();
        if (model.macro().isPresent()) {
            notices.add(name + ": [permissions.macro] is enforced only through bin/cordon-rustc (stable Cargo's"
                    + " [build] rustc-wrapper): proc macros run inside rustc, which a [host] runner cannot wrap");
        }
        return List.copyOf(notices);
    }

    @Override
    public String toString() {
        return "TomlPolicy[" + name + "]";
    }
}
