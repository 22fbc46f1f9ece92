package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.ReasonCode;

/**
 * The answer of an authenticator.
 *
 * @param allowed    whether the client may connect
 * @param username   the identity to record (e.g. a certificate's CN); null keeps the CONNECT's user name
 * @param reasonCode the MQTT 5 CONNACK reason code for a refusal (0x86 bad user name or password,
 *                   0x87 not authorized, ...); mapped to the 3.x return code for 3.x clients
 * @param reason     why, for the log line; never sent to the client
 */
public record AuthResult(boolean allowed, String username, int reasonCode, String reason) {

    public static AuthResult allow() {
        return new AuthResult(true, null, ReasonCode.SUCCESS, null);
    }

    public static AuthResult allowAs(String username) {
        return new AuthResult(true, username, ReasonCode.SUCCESS, null);
    }

    public static AuthResult deny(int reasonCode, String reason) {
        return new AuthResult(false, null, reasonCode, reason);
    }
}
