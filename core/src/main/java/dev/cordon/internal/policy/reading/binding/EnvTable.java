package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.constraints.Messages;
import dev.cordon.internal.policy.reading.constraints.NotSetByCargo;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code env = { pass = [...], drop = [...], set = {...} }}. */
public final class EnvTable {
    private static final String GLOB = "[A-Za-z_*][A-Za-z0-9_*]*";

    /** {@code pass}: names or globs. */
    public List<@Pattern(regexp = GLOB, message = "is not a variable name or glob" + Messages.FIX
            + "use letters, digits, '_' and '*' only, e.g. \"CC_*\"") String> pass = new ArrayList<>();

    /** {@code drop}: names or globs, none that Cargo sets. */
    public List<@Pattern(regexp = GLOB, message = "is not a variable name or glob" + Messages.FIX
            + "use letters, digits, '_' and '*' only, e.g. \"FOO_*\"") @NotSetByCargo String> drop = new ArrayList<>();

    /** {@code set}: names and values. */
    public Map<@Pattern(regexp = "[A-Za-z_][A-Za-z0-9_]*", message = "is not a variable name" + Messages.FIX
            + "use letters, digits and '_' only, not starting with a digit") String, String> set = new LinkedHashMap<>();

    /** Created by Jackson. */
    public EnvTable() {
    }
}
