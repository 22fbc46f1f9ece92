package io.volantmq.plugin.api;

import java.util.List;

/**
 * What a CONNECT interceptor decides.
 *
 * @param accepted       whether the client may connect
 * @param userProperties user properties added to the CONNACK (MQTT 5 clients only)
 * @param reasonCode     for a refusal: the CONNACK reason code (0x80..0xFF); 3.x clients get the matching return code
 * @param reason         for a refusal: why, for the log
 */
public record ConnectResult(boolean accepted, List<UserProperty> userProperties, int reasonCode, String reason) {
    /** Copies the list. */
    public ConnectResult {
        userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    }

    private static final ConnectResult ACCEPT = new ConnectResult(true, List.of(), 0, null);

    /** Lets the client in. */
    public static ConnectResult accept() {
        return ACCEPT;
    }

    /** Lets the client in and adds {@code properties} to its CONNACK. */
    public static ConnectResult acceptWith(List<UserProperty> properties) {
        return new ConnectResult(true, properties, 0, null);
    }

    /** Refuses the client. */
    public static ConnectResult refuse(int reasonCode, String reason) {
        if (reasonCode < 0x80 || reasonCode > 0xFF) {
            throw new IllegalArgumentException("a refusal needs a failure reason code (0x80..0xFF): " + reasonCode);
        }
        return new ConnectResult(false, List.of(), reasonCode, reason);
    }
}
