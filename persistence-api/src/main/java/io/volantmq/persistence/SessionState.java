package io.volantmq.persistence;

import java.util.Objects;

/**
 * What survives of a persistent session between connections.
 *
 * @param clientId              the client identifier (the key)
 * @param protocolVersion       3, 4 or 5: the level of the last connection
 * @param expiryIntervalSeconds session expiry interval; 0xFFFFFFFFL for never
 * @param disconnectedAtMillis  when the client disconnected (epoch millis), 0 while connected
 * @param will                  the will message still to publish, or null
 * @param willDelaySeconds      MQTT 5 will delay interval
 * @param owner                 the authenticated user name the session belongs to (the one of the connection
 *                              that created or last resumed it), or null: anonymous, or a record written
 *                              before owners were stored. The broker binds client ids to it when asked to,
 *                              and authorizes the stored will as this user.
 */
public record SessionState(String clientId, int protocolVersion, long expiryIntervalSeconds,
                           long disconnectedAtMillis, StoredMessage will, long willDelaySeconds, String owner) {

    public static final long NEVER_EXPIRES = 0xFFFFFFFFL;

    /** A session without an owner. */
    public SessionState(String clientId, int protocolVersion, long expiryIntervalSeconds, long disconnectedAtMillis,
                        StoredMessage will, long willDelaySeconds) {
        this(clientId, protocolVersion, expiryIntervalSeconds, disconnectedAtMillis, will, willDelaySeconds, null);
    }

    public SessionState {
        Objects.requireNonNull(clientId, "clientId");
    }

    /** True once a disconnected session has outlived its expiry interval. */
    public boolean expired(long nowMillis) {
        return disconnectedAtMillis != 0 && expiryIntervalSeconds != NEVER_EXPIRES
                && nowMillis >= disconnectedAtMillis + expiryIntervalSeconds * 1000L;
    }
}
