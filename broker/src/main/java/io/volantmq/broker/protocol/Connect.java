package io.volantmq.broker.protocol;

import java.util.Objects;

/**
 * CONNECT. {@code cleanSession} is Clean Session (3.x) or Clean Start (5.0); {@code username},
 * {@code password} and {@code will} are null when their flag is not set; {@code clientId} may be
 * empty, never null.
 */
public record Connect(ProtocolVersion version, String clientId, boolean cleanSession, int keepAlive,
                      String username, byte[] password, Will will, Properties properties) implements MqttMessage {
    public Connect {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(clientId, "clientId");
        properties = properties == null ? Properties.EMPTY : properties;
    }

    @Override
    public PacketType type() {
        return PacketType.CONNECT;
    }

    @Override
    public String toString() {
        return "Connect[version=" + version + ", clientId=" + clientId + ", cleanSession=" + cleanSession
                + ", keepAlive=" + keepAlive + ", username=" + username + ", password="
                + (password == null ? "none" : "***") + ", will=" + will + ", properties=" + properties + "]";
    }
}
