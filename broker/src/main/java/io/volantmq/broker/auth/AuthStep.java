package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.ReasonCode;

/**
 * What an exchange says after a step.
 *
 * @param outcome    continue (send AUTH 0x18 with {@code serverData}), success (CONNACK / AUTH 0x00
 *                   with {@code serverData} if any), or failure (CONNACK / DISCONNECT with {@code reasonCode})
 * @param serverData Authentication Data to send, or null
 * @param username   the authenticated identity on success
 * @param reasonCode reason code on failure (0x86, 0x87, 0x8C ...)
 * @param reason     why, for the log only
 */
public record AuthStep(Outcome outcome, byte[] serverData, String username, int reasonCode, String reason) {

    public enum Outcome { CONTINUE, SUCCESS, FAILURE }

    public static AuthStep proceed(byte[] serverData) {
        return new AuthStep(Outcome.CONTINUE, serverData, null, ReasonCode.CONTINUE_AUTHENTICATION, null);
    }

    public static AuthStep success(String username, byte[] serverData) {
        return new AuthStep(Outcome.SUCCESS, serverData, username, ReasonCode.SUCCESS, null);
    }

    public static AuthStep failure(int reasonCode, String reason) {
        return new AuthStep(Outcome.FAILURE, null, null, reasonCode, reason);
    }
}
