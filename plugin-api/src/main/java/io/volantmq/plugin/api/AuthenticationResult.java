package io.volantmq.plugin.api;

/**
 * An authenticator's answer.
 *
 * @param outcome    allow, deny or next (let the next provider in the listener's chain decide)
 * @param username   for allow: the identity to record instead of the CONNECT's user name, or null
 * @param reasonCode for deny: the MQTT 5 CONNACK reason code (0x86, 0x87, ...); 3.x clients get the matching return code
 * @param reason     for deny: why, for the broker's log line (never sent to the client)
 */
public record AuthenticationResult(Outcome outcome, String username, int reasonCode, String reason) {

    /** The three answers. */
    public enum Outcome { ALLOW, DENY, NEXT }

    /** Bad user name or password (0x86). */
    public static final int BAD_USER_NAME_OR_PASSWORD = 0x86;
    /** Not authorized (0x87). */
    public static final int NOT_AUTHORIZED = 0x87;
    /** Server unavailable (0x88). */
    public static final int SERVER_UNAVAILABLE = 0x88;

    /** Admits the client under the user name it sent. */
    public static AuthenticationResult allow() {
        return new AuthenticationResult(Outcome.ALLOW, null, 0, null);
    }

    /** Admits the client as {@code username}. */
    public static AuthenticationResult allowAs(String username) {
        return new AuthenticationResult(Outcome.ALLOW, username, 0, null);
    }

    /** Refuses the client with {@code reasonCode}. */
    public static AuthenticationResult deny(int reasonCode, String reason) {
        return new AuthenticationResult(Outcome.DENY, null, reasonCode, reason);
    }

    /** No opinion: the next provider of the chain decides. */
    public static AuthenticationResult next() {
        return new AuthenticationResult(Outcome.NEXT, null, 0, null);
    }
}
