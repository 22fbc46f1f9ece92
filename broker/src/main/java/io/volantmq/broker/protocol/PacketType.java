package io.volantmq.broker.protocol;

/** MQTT control packet types, by their fixed-header value. */
public enum PacketType {
    CONNECT(1), CONNACK(2), PUBLISH(3), PUBACK(4), PUBREC(5), PUBREL(6), PUBCOMP(7), SUBSCRIBE(8), SUBACK(9),
    UNSUBSCRIBE(10), UNSUBACK(11), PINGREQ(12), PINGRESP(13), DISCONNECT(14), AUTH(15);

    private static final PacketType[] BY_VALUE = new PacketType[16];

    static {
        for (PacketType type : values()) {
            BY_VALUE[type.value] = type;
        }
    }

    private final int value;

    PacketType(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** The type of a fixed-header value 0..15, or null for the reserved value 0. */
    public static PacketType of(int value) {
        return value >= 0 && value < 16 ? BY_VALUE[value] : null;
    }
}
