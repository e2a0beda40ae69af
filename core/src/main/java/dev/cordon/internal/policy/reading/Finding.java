package dev.cordon.internal.policy.reading;

/**
 * One problem found while reading a policy, before it is given a line and column.
 *
 * @param keyPath where: {@code permissions.build.sqlx.network-access.routes[0]}; empty for the whole file
 * @param message what is wrong, quoting the bad value
 * @param fix how to fix it
 */
public record Finding(String keyPath, String message, String fix) {
}
