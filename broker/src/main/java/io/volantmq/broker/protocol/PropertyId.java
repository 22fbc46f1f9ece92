package io.volantmq.broker.protocol;

import java.util.EnumSet;
import java.util.Set;

import static io.volantmq.broker.protocol.PacketType.*;

/** MQTT 5 properties (spec 2.2.2.2): identifier, wire type and the packets that may carry them. */
public enum PropertyId {
    PAYLOAD_FORMAT_INDICATOR(0x01, Type.BYTE, PUBLISH),
    MESSAGE_EXPIRY_INTERVAL(0x02, Type.FOUR_BYTE, PUBLISH),
    CONTENT_TYPE(0x03, Type.UTF8, PUBLISH),
    RESPONSE_TOPIC(0x08, Type.UTF8, PUBLISH),
    CORRELATION_DATA(0x09, Type.BINARY, PUBLISH),
    SUBSCRIPTION_IDENTIFIER(0x0B, Type.VARINT, PUBLISH, SUBSCRIBE),
    SESSION_EXPIRY_INTERVAL(0x11, Type.FOUR_BYTE, CONNECT, CONNACK, DISCONNECT),
    ASSIGNED_CLIENT_IDENTIFIER(0x12, Type.UTF8, CONNACK),
    SERVER_KEEP_ALIVE(0x13, Type.TWO_BYTE, CONNACK),
    AUTHENTICATION_METHOD(0x15, Type.UTF8, CONNECT, CONNACK, AUTH),
    AUTHENTICATION_DATA(0x16, Type.BINARY, CONNECT, CONNACK, AUTH),
    REQUEST_PROBLEM_INFORMATION(0x17, Type.BYTE, CONNECT),
    WILL_DELAY_INTERVAL(0x18, Type.FOUR_BYTE),
    REQUEST_RESPONSE_INFORMATION(0x19, Type.BYTE, CONNECT),
    RESPONSE_INFORMATION(0x1A, Type.UTF8, CONNACK),
    SERVER_REFERENCE(0x1C, Type.UTF8, CONNACK, DISCONNECT),
    REASON_STRING(0x1F, Type.UTF8,
            CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH),
    RECEIVE_MAXIMUM(0x21, Type.TWO_BYTE, CONNECT, CONNACK),
    TOPIC_ALIAS_MAXIMUM(0x22, Type.TWO_BYTE, CONNECT, CONNACK),
    TOPIC_ALIAS(0x23, Type.TWO_BYTE, PUBLISH),
    MAXIMUM_QOS(0x24, Type.BYTE, CONNACK),
    RETAIN_AVAILABLE(0x25, Type.BYTE, CONNACK),
    USER_PROPERTY(0x26, Type.UTF8_PAIR, PacketType.values()),
    MAXIMUM_PACKET_SIZE(0x27, Type.FOUR_BYTE, CONNECT, CONNACK),
    WILDCARD_SUBSCRIPTION_AVAILABLE(0x28, Type.BYTE, CONNACK),
    SUBSCRIPTION_IDENTIFIER_AVAILABLE(0x29, Type.BYTE, CONNACK),
    SHARED_SUBSCRIPTION_AVAILABLE(0x2A, Type.BYTE, CONNACK);

    /** How a property value is encoded, and the Java type it decodes to. */
    public enum Type {
        /** Integer 0..255. */
        BYTE,
        /** Integer 0..65535. */
        TWO_BYTE,
        /** Long 0..2^32-1. */
        FOUR_BYTE,
        /** Integer 0..268,435,455 (variable byte integer). */
        VARINT,
        /** String (well-formed MQTT UTF-8). */
        UTF8,
        /** byte[]. */
        BINARY,
        /** StringPair. */
        UTF8_PAIR
    }

    private static final PropertyId[] BY_ID = new PropertyId[0x2B];

    static {
        for (PropertyId id : values()) {
            BY_ID[id.id] = id;
        }
    }

    private final int id;
    private final Type type;
    private final Set<PacketType> allowedIn;
    private final boolean inWill;
    private final boolean repeatable;

    PropertyId(int id, Type type, PacketType... allowedIn) {
        this.id = id;
        this.type = type;
        this.allowedIn = allowedIn.length == 0 ? EnumSet.noneOf(PacketType.class) : EnumSet.of(allowedIn[0], allowedIn);
        this.inWill = isWillProperty(id);
        // [MQTT-3.3.2-...] user properties may repeat; a PUBLISH may carry several subscription identifiers
        this.repeatable = id == 0x26 || id == 0x0B;
    }

    /** Will properties (3.1.3.2): will delay, payload format, expiry, content type, response topic, correlation data, user. */
    private static boolean isWillProperty(int id) {
        return id == 0x18 || id == 0x01 || id == 0x02 || id == 0x03 || id == 0x08 || id == 0x09 || id == 0x26;
    }

    public int id() {
        return id;
    }

    public Type type() {
        return type;
    }

    /** May this property appear in a packet of the given type? */
    public boolean allowedIn(PacketType packetType) {
        return allowedIn.contains(packetType);
    }

    /** May this property appear in the will properties of a CONNECT? */
    public boolean allowedInWill() {
        return inWill;
    }

    /**
     * May it appear more than once in one property section? User properties always; subscription
     * identifiers only in a PUBLISH sent by the server (a SUBSCRIBE carries at most one).
     */
    public boolean repeatable() {
        return repeatable;
    }

    /** The property of an identifier, or null when the identifier is not defined. */
    public static PropertyId of(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
