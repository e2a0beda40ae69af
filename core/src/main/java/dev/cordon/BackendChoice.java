package dev.cordon;

import java.util.Objects;

/**
 * Which sandbox backend a {@link Grant} asks for: {@link #AUTO} (the best available one), {@link #NONE} (no
 * sandbox, only ever when named) or one backend by its id ({@code "bwrap"}, {@code "sandbox-exec"}, or the id of
 * a plugin's {@link dev.cordon.spi.SandboxBackend}). Written as in a policy's {@code [sandbox] backend}.
 *
 * <p>A value type, not an enum: plugins add backends, so the ids are an open set; the type still says what a
 * string cannot, that the value is a choice of backend with a checked shape, and names the two choices that
 * are not backends. The backend that actually ran ({@link RunEvent#backendId()}, {@link
 * ExecutionPlan#backendId()}) stays a {@code String}: it is always some backend's {@link
 * dev.cordon.spi.SandboxBackend#id()}, never {@code "auto"}, so it is not a choice.
 *
 * @param id {@code "auto"}, {@code "none"} or a backend id: lower-case letters, digits and {@code '-'}, not
 *     starting with {@code '-'}; never null
 * @since 0.2
 */
public record BackendChoice(String id) {

    /** The best available backend (by {@link dev.cordon.spi.SandboxBackend#priority()}); the default. */
    public static final BackendChoice AUTO = new BackendChoice("auto");

    /** No sandbox at all; never chosen by {@link #AUTO}, only when a policy or a pin names it. */
    public static final BackendChoice NONE = new BackendChoice("none");

    /**
     * Checks the id's shape.
     *
     * @throws IllegalArgumentException when the id is not of lower-case letters, digits and {@code '-'}
     */
    public BackendChoice {
        Objects.requireNonNull(id, "id");
        if (!dev.cordon.internal.text.Identifiers.isId(id)) {
            throw new IllegalArgumentException("backend '" + id + "' is not a backend id: write \"auto\", \"none\" or"
                    + " a backend id of lower-case letters, digits and '-', e.g. \"bwrap\"");
        }
    }

    /**
     * {@return the choice a policy's {@code [sandbox] backend} value names}
     *
     * @param id {@code "auto"}, {@code "none"} or a backend id
     * @throws IllegalArgumentException when the id is not of lower-case letters, digits and {@code '-'}
     */
    public static BackendChoice of(String id) {
        return switch (id) {
            case "auto" -> AUTO;
            case "none" -> NONE;
            default -> new BackendChoice(id);
        };
    }

    /** {@return true for {@link #AUTO}} */
    public boolean isAuto() {
        return equals(AUTO);
    }

    /** {@return true for {@link #NONE}} */
    public boolean isNone() {
        return equals(NONE);
    }

    // equals and hashCode written out, as toString: a record's generated ones are bootstrapped at run time, which
    // spins classes on every cold start (PackagedRunnerIT), and every grant compares these.
    @Override
    public boolean equals(Object other) {
        return other instanceof BackendChoice that && id.equals(that.id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /** {@return the id, as a policy writes it} */
    @Override
    public String toString() {
        return id;
    }
}
