package dev.cordon;

import java.util.List;
import java.util.Objects;

/**
 * The network a build script may use: none, some routes, or all of it.
 *
 * @param mode what is allowed; never null
 * @param routes the destinations when {@code mode} is {@link Mode#ROUTES}, else empty; never null
 * @since 0.1
 */
public record NetworkAccess(Mode mode, List<Route> routes) {

    /** How much network a build script gets. */
    public enum Mode {
        /** No network at all (not even loopback on backends that unshare the network namespace). */
        NONE,
        /** Only the listed routes. Not every backend can enforce this: see its capabilities. */
        ROUTES,
        /** The host's full network. */
        ALL
    }

    private static final NetworkAccess NONE = new NetworkAccess(Mode.NONE, List.of());
    private static final NetworkAccess ALL = new NetworkAccess(Mode.ALL, List.of());

    /** Checks the components: routes go with {@code ROUTES} and only with it. */
    public NetworkAccess {
        Objects.requireNonNull(mode, "mode");
        routes = List.copyOf(routes);
        if (mode == Mode.ROUTES && routes.isEmpty()) {
            throw new IllegalArgumentException("network mode ROUTES needs at least one route");
        }
        if (mode != Mode.ROUTES && !routes.isEmpty()) {
            throw new IllegalArgumentException("network mode " + mode + " takes no routes");
        }
    }

    /** {@return no network} */
    public static NetworkAccess none() {
        return NONE;
    }

    /** {@return the full network} */
    public static NetworkAccess all() {
        return ALL;
    }

    /**
     * {@return only these routes}
     *
     * @param routes at least one route
     */
    public static NetworkAccess routes(List<Route> routes) {
        return new NetworkAccess(Mode.ROUTES, routes);
    }

    /** {@return a short description: {@code none}, {@code all} or the routes} */
    public String describe() {
        return switch (mode) {
            case NONE -> "none";
            case ALL -> "all";
            case ROUTES -> "routes " + routes;
        };
    }
}
