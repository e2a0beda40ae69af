package dev.cordon.internal.policy.evaluation;

import dev.cordon.Grant;
import dev.cordon.Policy;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.policy.model.PolicyModel;
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
    private final String table;

    /**
     * Creates the policy.
     *
     * @param model the validated model
     * @param file the policy file; its absolute path is the policy's name
     */
    public TomlPolicy(PolicyModel model, Path file) {
        this(model, file, "");
    }

    /**
     * Creates a policy kept in a table of its file (a Cargo manifest's {@code [workspace.metadata.cordon]}).
     *
     * @param model the validated model
     * @param file the file; its absolute path, then the table in brackets, is the policy's name
     * @param table the table, e.g. {@code workspace.metadata.cordon}; empty for a whole policy file
     */
    public TomlPolicy(PolicyModel model, Path file, String table) {
        this.model = Objects.requireNonNull(model, "model");
        this.table = Objects.requireNonNull(table, "table");
        String path = file.toAbsolutePath().normalize().toString();
        this.name = table.isEmpty() ? path : path + " [" + table + "]";
    }

    /**
     * {@return the table the policy is kept in, with a trailing dot ({@code workspace.metadata.cordon.}), or an
     * empty string for a policy file: what a suggested line's table header starts with}
     */
    public String keyPrefix() {
        return table.isEmpty() ? "" : table + ".";
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
            notices.add(name + ": [" + keyPrefix() + "permissions.macro] is enforced only through bin/cordon-rustc (stable"
                    + " Cargo's [build] rustc-wrapper): proc macros run inside rustc, which a [host] runner cannot wrap");
        }
        return List.copyOf(notices);
    }

    @Override
    public String toString() {
        return "TomlPolicy[" + name + "]";
    }
}
