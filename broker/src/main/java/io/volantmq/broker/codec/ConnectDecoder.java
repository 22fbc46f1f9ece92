package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Topics;
import io.volantmq.broker.protocol.Will;

/**
 * CONNECT (spec 3.1). It carries its own protocol version: failures before the level is read have a
 * null version, later ones the CONNECT's, so even a bad CONNECT is answered in the client's version.
 */
final class ConnectDecoder {
    private static final int USER_NAME = 0x80;
    private static final int PASSWORD = 0x40;
    private static final int WILL_RETAIN = 0x20;
    private static final int WILL_QOS_SHIFT = 3;
    private static final int WILL = 0x04;
    private static final int CLEAN_START = 0x02;
    private static final int RESERVED = 0x01;

    private ConnectDecoder() {
    }

    static Connect decode(ByteBuf body) {
        MqttReader reader = readVersion(new MqttReader(body, PacketType.CONNECT, null));
        ProtocolVersion version = reader.version();
        int flags = reader.readByte("connect flags");
        checkFlags(reader, flags);
        int keepAlive = reader.readTwoByteInt("keep alive");
        Properties properties = Properties.EMPTY;
        if (version.isV5()) {
            properties = PropertiesDecoder.read(reader);
            if (properties.contains(PropertyId.AUTHENTICATION_DATA)
                    && !properties.contains(PropertyId.AUTHENTICATION_METHOD)) {
                throw reader.protocolError("CONNECT has authentication data without a method (spec 3.1.2.11.10)");
            }
        }
        String clientId = reader.readUtf8("client identifier"); // may be empty: the broker decides
        Will will = (flags & WILL) != 0 ? readWill(reader, flags) : null;
        String username = (flags & USER_NAME) != 0 ? reader.readUtf8("user name") : null;
        byte[] password = (flags & PASSWORD) != 0 ? reader.readBinary("password") : null;
        reader.expectEnd();
        return new Connect(version, clientId, (flags & CLEAN_START) != 0, keepAlive, username, password, will,
                properties);
    }

    /** Reads protocol name and level; the returned reader carries the version. */
    private static MqttReader readVersion(MqttReader reader) {
        String name = reader.readUtf8("protocol name");
        int level = reader.readByte("protocol level");
        if (!name.equals(ProtocolVersion.MQTT_3_1.protocolName())
                && !name.equals(ProtocolVersion.MQTT_3_1_1.protocolName())) {
            throw reader.malformed("CONNECT with protocol name '" + name + "' [MQTT-3.1.2-1]");
        }
        ProtocolVersion version = ProtocolVersion.ofLevel(level);
        if (version == null) {
            throw reader.fail(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION,
                    "CONNECT with unsupported protocol level " + level + " [MQTT-3.1.2-2]");
        }
        MqttReader versioned = reader.withVersion(version);
        if (!name.equals(version.protocolName())) {
            throw versioned.malformed("CONNECT with protocol name '" + name + "' and level " + level
                    + " (expected '" + version.protocolName() + "') [MQTT-3.1.2-1]");
        }
        return versioned;
    }

    private static void checkFlags(MqttReader reader, int flags) {
        if ((flags & RESERVED) != 0) {
            throw reader.malformed("CONNECT with the reserved connect flag set [MQTT-3.1.2-3]");
        }
        int willQos = (flags >>> WILL_QOS_SHIFT) & 0x03;
        if ((flags & WILL) == 0) {
            if (willQos != 0) {
                throw reader.malformed("CONNECT without will flag has will QoS " + willQos + " [MQTT-3.1.2-13]");
            }
            if ((flags & WILL_RETAIN) != 0) {
                throw reader.malformed("CONNECT without will flag has will retain set [MQTT-3.1.2-15]");
            }
        } else if (willQos == 3) {
            throw reader.malformed("CONNECT with will QoS 3 [MQTT-3.1.2-14]");
        }
        // MQTT 5 allows a password without a user name (3.1.2.9)
        if (!reader.version().isV5() && (flags & PASSWORD) != 0 && (flags & USER_NAME) == 0) {
            throw reader.malformed("CONNECT with password flag but no user name flag [MQTT-3.1.2-22]");
        }
    }

    private static Will readWill(MqttReader reader, int flags) {
        Properties properties = reader.version().isV5() ? PropertiesDecoder.readWill(reader) : Properties.EMPTY;
        String topic = reader.readUtf8("will topic");
        if (topic.isEmpty()) {
            throw reader.malformed("CONNECT with an empty will topic [MQTT-4.7.3-1]");
        }
        if (!Topics.isValidTopicName(topic)) {
            throw reader.fail(ReasonCode.TOPIC_NAME_INVALID,
                    "CONNECT will topic '" + topic + "' contains a wildcard [MQTT-3.3.2-2]");
        }
        byte[] payload = reader.readBinary("will payload");
        int qos = (flags >>> WILL_QOS_SHIFT) & 0x03;
        return new Will(topic, payload, qos, (flags & WILL_RETAIN) != 0, properties);
    }
}
