package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.ValueChecks.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code env = { pass = [...], set = {...}, drop = [...] }}. */
public final class EnvBinding extends Binding {
    /** {@code pass}. */
    public final List<@Checked(Kind.ENV_PASS) String> pass = new ArrayList<>();

    /** {@code drop}. */
    public final List<@Checked(Kind.ENV_DROP) String> drop = new ArrayList<>();

    /** {@code set}. */
    public final Map<@Checked(Kind.ENV_NAME) String, String> set = new LinkedHashMap<>();

    /** @param keyPath where it is */
    public EnvBinding(String keyPath) {
        super(keyPath);
    }
}
