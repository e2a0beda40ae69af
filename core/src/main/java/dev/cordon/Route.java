package dev.cordon;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One network destination a build script may connect to: a host and a port, written
 * {@code host:port}, {@code [ipv6]:port}.
 *
 * @param host a host name or IP address literal, without brackets; never null or blank
 * @param port 1 to 65535
 * @since 0.1
 */
public record Route(String host, int port) {

    /** Checks the components. */
    public Route {
        Objects.requireNonNull(host, "host");
        if (host.isBlank() || hasWhitespace(host)) {
            throw new IllegalArgumentException("route host '" + host + "' must be a host name or IP address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("route port " + port + " must be between 1 and 65535");
        }
        host = host.toLowerCase(Locale.ROOT);
    }

    // A plain loop, not a stream: this runs on the per-build-script path, where lambdas cost start-up time.
    private static boolean hasWhitespace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}.
     *
     * @param text the route as written in a policy
     * @return the route, or empty when {@code text} is not of that form
     */
    public static Optional<Route> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                return Optional.empty();
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon) {
                return Optional.empty();
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Route(host, Integer.parseInt(port)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * {@return true when the host is {@code localhost}, {@code ::1} or an IPv4 literal in 127.0.0.0/8}
     * A DNS name that merely begins with {@code 127.} (such as {@code 127.0.0.1.example.com}) is not
     * loopback: it resolves wherever its owner points it.
     */
    public boolean isLoopback() {
        return host.equals("localhost") || host.equals("::1") || isIpv4LoopbackLiteral(host);
    }

    /** Four decimal octets (0 to 255, at most three digits each), the first 127. */
    private static boolean isIpv4LoopbackLiteral(String text) {
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4 || !octets[0].equals("127")) {
            return false;
        }
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 3) {
                return false;
            }
            for (int i = 0; i < octet.length(); i++) {
                if (octet.charAt(i) < '0' || octet.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /** {@return the route as written in a policy: {@code host:port} or {@code [ipv6]:port}} */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
