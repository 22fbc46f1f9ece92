package io.volantmq.broker.protocol;

/**
 * MQTT 5 reason codes (spec 2.4) and the MQTT 3.x CONNACK return codes. Plain ints: one value has
 * several names depending on the packet (0x00 is Success, Normal disconnection and Granted QoS 0).
 */
public final class ReasonCode {
    private ReasonCode() {
    }

    public static final int SUCCESS = 0x00;
    public static final int NORMAL_DISCONNECTION = 0x00;
    public static final int GRANTED_QOS_0 = 0x00;
    public static final int GRANTED_QOS_1 = 0x01;
    public static final int GRANTED_QOS_2 = 0x02;
    public static final int DISCONNECT_WITH_WILL = 0x04;
    public static final int NO_MATCHING_SUBSCRIBERS = 0x10;
    public static final int NO_SUBSCRIPTION_EXISTED = 0x11;
    public static final int CONTINUE_AUTHENTICATION = 0x18;
    public static final int REAUTHENTICATE = 0x19;
    public static final int UNSPECIFIED_ERROR = 0x80;
    public static final int MALFORMED_PACKET = 0x81;
    public static final int PROTOCOL_ERROR = 0x82;
    public static final int IMPLEMENTATION_SPECIFIC_ERROR = 0x83;
    public static final int UNSUPPORTED_PROTOCOL_VERSION = 0x84;
    public static final int CLIENT_IDENTIFIER_NOT_VALID = 0x85;
    public static final int BAD_USER_NAME_OR_PASSWORD = 0x86;
    public static final int NOT_AUTHORIZED = 0x87;
    public static final int SERVER_UNAVAILABLE = 0x88;
    public static final int SERVER_BUSY = 0x89;
    public static final int BANNED = 0x8A;
    public static final int SERVER_SHUTTING_DOWN = 0x8B;
    public static final int BAD_AUTHENTICATION_METHOD = 0x8C;
    public static final int KEEP_ALIVE_TIMEOUT = 0x8D;
    public static final int SESSION_TAKEN_OVER = 0x8E;
    public static final int TOPIC_FILTER_INVALID = 0x8F;
    public static final int TOPIC_NAME_INVALID = 0x90;
    public static final int PACKET_IDENTIFIER_IN_USE = 0x91;
    public static final int PACKET_IDENTIFIER_NOT_FOUND = 0x92;
    public static final int RECEIVE_MAXIMUM_EXCEEDED = 0x93;
    public static final int TOPIC_ALIAS_INVALID = 0x94;
    public static final int PACKET_TOO_LARGE = 0x95;
    public static final int MESSAGE_RATE_TOO_HIGH = 0x96;
    public static final int QUOTA_EXCEEDED = 0x97;
    public static final int ADMINISTRATIVE_ACTION = 0x98;
    public static final int PAYLOAD_FORMAT_INVALID = 0x99;
    public static final int RETAIN_NOT_SUPPORTED = 0x9A;
    public static final int QOS_NOT_SUPPORTED = 0x9B;
    public static final int USE_ANOTHER_SERVER = 0x9C;
    public static final int SERVER_MOVED = 0x9D;
    public static final int SHARED_SUBSCRIPTIONS_NOT_SUPPORTED = 0x9E;
    public static final int CONNECTION_RATE_EXCEEDED = 0x9F;
    public static final int MAXIMUM_CONNECT_TIME = 0xA0;
    public static final int SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED = 0xA1;
    public static final int WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED = 0xA2;

    /** MQTT 3.x CONNACK return codes (3.1.1 table 3.1). */
    public static final int V3_ACCEPTED = 0x00;
    public static final int V3_UNACCEPTABLE_PROTOCOL_VERSION = 0x01;
    public static final int V3_IDENTIFIER_REJECTED = 0x02;
    public static final int V3_SERVER_UNAVAILABLE = 0x03;
    public static final int V3_BAD_USER_NAME_OR_PASSWORD = 0x04;
    public static final int V3_NOT_AUTHORIZED = 0x05;
    /** MQTT 3.1.1 SUBACK failure return code. */
    public static final int V3_SUBACK_FAILURE = 0x80;

    /** The MQTT 3.x CONNACK return code closest to an MQTT 5 CONNACK reason code. */
    public static int toV3ConnAck(int reasonCode) {
        return switch (reasonCode) {
            case SUCCESS -> V3_ACCEPTED;
            case UNSUPPORTED_PROTOCOL_VERSION -> V3_UNACCEPTABLE_PROTOCOL_VERSION;
            case CLIENT_IDENTIFIER_NOT_VALID -> V3_IDENTIFIER_REJECTED;
            case BAD_USER_NAME_OR_PASSWORD -> V3_BAD_USER_NAME_OR_PASSWORD;
            case NOT_AUTHORIZED, BANNED -> V3_NOT_AUTHORIZED;
            default -> V3_SERVER_UNAVAILABLE;
        };
    }

    /** True for the codes that signal failure (0x80 and above). */
    public static boolean isError(int reasonCode) {
        return reasonCode >= 0x80;
    }
}
