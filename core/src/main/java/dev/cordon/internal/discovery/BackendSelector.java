package dev.cordon.internal.discovery;

import dev.cordon.BackendChoice;
import dev.cordon.ExitCodes;
import dev.cordon.Grant;
import dev.cordon.SandboxException;
import dev.cordon.internal.text.Suggestions;
import dev.cordon.spi.SandboxBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the backend for a grant: the pin ({@code -Dcordon.backend} or {@code CORDON_BACKEND}) if set,
 * else the grant's choice: {@code "auto"} (the available backend with the highest priority),
 * {@code "none"} (no sandbox, by name only) or an id.
 */
public final class BackendSelector {
    /** The system property that pins a backend id. */
    public static final String PIN_PROPERTY = "cordon.backend";
    /** The environment variable that pins a backend id (the property wins). */
    public static final String PIN_ENV = "CORDON_BACKEND";

    private final ProviderRegistry<SandboxBackend> registry;
    private final Optional<String> pin;
    private final Map<String, String> environment;

    /**
     * A selector for calls whose environment does not matter to any backend (tests, code-only runners).
     *
     * @param registry the backends
     * @param pin the pinned backend id, if any
     */
    public BackendSelector(ProviderRegistry<SandboxBackend> registry, Optional<String> pin) {
        this(registry, pin, Map.of());
    }

    /**
     * @param registry the discovered and added backends
     * @param pin a pinned id, or empty
     */
    public BackendSelector(ProviderRegistry<SandboxBackend> registry, Optional<String> pin,
            Map<String, String> environment) {
        this.registry = registry;
        this.environment = Map.copyOf(environment);
        this.pin = pin.filter(p -> !p.isBlank()).map(String::strip);
    }

    /**
     * @param environment the runner call's environment
     * @return the pin from the system property or the environment, if any
     */
    public static Optional<String> pinFrom(Map<String, String> environment) {
        String value = System.getProperty(PIN_PROPERTY);
        if (value == null || value.isBlank()) {
            value = environment.get(PIN_ENV);
        }
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    /**
     * @param grant the grant whose backend choice applies
     * @return why the backend was chosen, e.g. "pinned by cordon.backend/CORDON_BACKEND"
     */
    public String why(Grant grant) {
        return pin.isPresent() ? "pinned by " + PIN_PROPERTY + "/" + PIN_ENV : "asked for by " + grant.policyName();
    }

    /**
     * @param grant the grant whose backend choice applies
     * @return the chosen, available backend
     * @throws SandboxException when it is unknown or unavailable; never falls back to no sandbox
     */
    public SandboxBackend select(Grant grant) {
        String wanted = pin.orElse(grant.backend().id());
        String why = why(grant);
        if (wanted.equals(BackendChoice.NONE.id())) {
            return registry.get(BackendChoice.NONE.id()).orElseGet(NoSandboxBackend::new);
        }
        if (wanted.equals(BackendChoice.AUTO.id())) {
            List<String> reasons = new ArrayList<>();
            for (SandboxBackend backend : registry.byPriority(SandboxBackend::priority, SandboxBackend::id)) {
                if (backend.id().equals(BackendChoice.NONE.id())) {
                    continue;
                }
                var availability = backend.availability(environment);
                if (availability.isAvailable()) {
                    return backend;
                }
                reasons.add(backend.id() + ": " + availability.reason());
            }
            throw new SandboxException(reasons.isEmpty()
                    ? "no sandbox backend on the class path: add cordon-sandbox-bwrap (Linux) or "
                            + "cordon-sandbox-macos (macOS) to the runner; Cordon never runs a build script "
                            + "unsandboxed unless the policy says backend = \"none\""
                    : "no sandbox backend is available on this machine:\n  " + String.join("\n  ", reasons)
                            + "\nCordon never runs a build script unsandboxed unless the policy says "
                            + "backend = \"none\"", ExitCodes.SANDBOX_UNAVAILABLE);
        }
        SandboxBackend backend = registry.get(wanted).orElseThrow(() -> new SandboxException("unknown sandbox "
                + "backend '" + wanted + "' (" + why + (pin.isPresent() ? "" : ", key [sandbox] backend") + "); "
                + suggestion(wanted) + "known: " + known(),
                ExitCodes.SANDBOX_UNAVAILABLE));
        var availability = backend.availability(environment);
        if (!availability.isAvailable()) {
            throw new SandboxException("sandbox backend '" + wanted + "' (" + why + ") is not available: "
                    + availability.reason(), ExitCodes.SANDBOX_UNAVAILABLE);
        }
        return backend;
    }

    private String suggestion(String wanted) {
        String text = Suggestions.didYouMean(wanted, registry.ids());
        return text.isEmpty() ? "" : text + " ";
    }

    private String known() {
        List<String> ids = new ArrayList<>(registry.ids());
        ids.add(BackendChoice.AUTO.id());
        if (!ids.contains(BackendChoice.NONE.id())) {
            ids.add(BackendChoice.NONE.id());
        }
        return String.join(", ", ids);
    }
}
