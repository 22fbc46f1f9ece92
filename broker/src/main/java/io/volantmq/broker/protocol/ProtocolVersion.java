package io.volantmq.broker.protocol;

/** The MQTT protocol levels this broker speaks. */
public enum ProtocolVersion {
    MQTT_3_1(3, "MQIsdp"), MQTT_3_1_1(4, "MQTT"), MQTT_5(5, "MQTT");

    private final int level;
    private final String protocolName;

    ProtocolVersion(int level, String protocolName) {
        this.level = level;
        this.protocolName = protocolName;
    }

    public int level() {
        return level;
    }

    public String protocolName() {
        return protocolName;
    }

    public boolean isV5() {
        return this == MQTT_5;
    }

    /** The version of a CONNECT protocol level, or null when unsupported. */
    public static ProtocolVersion ofLevel(int level) {
        return switch (level) {
            case 3 -> MQTT_3_1;
            case 4 -> MQTT_3_1_1;
            case 5 -> MQTT_5;
            default -> null;
        };
    }
}
