package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.model.PolicyModel;
import dev.cordon.internal.policy.reading.constraints.Messages;
import dev.cordon.internal.policy.reading.constraints.OneOf;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;

/** {@code [sandbox]}. */
public final class SandboxTable {
    /** {@code backend}, or null when not given. */
    @Pattern(regexp = "[a-z0-9][a-z0-9-]*", message = "is not a backend id" + Messages.FIX + "write \"auto\","
            + " \"none\" or a backend id of lower-case letters, digits and '-', e.g. \"bwrap\"")
    public String backend;

    /** {@code layers}. */
    public List<@OneOf(value = PolicyModel.SECCOMP_LAYER, message = "is not a sandbox layer") String> layers =
            new ArrayList<>();

    /** Created by Jackson. */
    public SandboxTable() {
    }
}
