package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Topics;

/**
 * PUBLISH (spec 3.3). An empty topic name with a Topic Alias passes through: resolving the alias is
 * the session's job.
 */
final class PublishDecoder {
    private PublishDecoder() {
    }

    static Publish decode(int flags, ByteBuf body, ProtocolVersion version) {
        MqttReader reader = new MqttReader(body, PacketType.PUBLISH, version);
        boolean dup = (flags & 0b1000) != 0;
        int qos = (flags >>> 1) & 0b11;
        boolean retain = (flags & 0b0001) != 0;
        if (qos == 3) {
            throw reader.malformed("PUBLISH with QoS 3 [MQTT-3.3.1-4]");
        }
        if (dup && qos == 0) {
            throw reader.malformed("PUBLISH with QoS 0 must not set DUP [MQTT-3.3.1-2]");
        }
        String topic = reader.readUtf8("topic name");
        if (!Topics.isValidTopicName(topic)) {
            throw reader.fail(ReasonCode.TOPIC_NAME_INVALID,
                    "PUBLISH topic name '" + topic + "' contains a wildcard [MQTT-3.3.2-2]");
        }
        int packetId = qos > 0 ? reader.readPacketId() : 0;
        Properties properties = Properties.EMPTY;
        if (version.isV5()) {
            properties = PropertiesDecoder.read(reader);
        }
        if (topic.isEmpty()) {
            checkEmptyTopic(reader, properties);
        }
        byte[] payload = reader.readRest();
        return new Publish(topic, qos, retain, dup, packetId, payload, properties);
    }

    private static void checkEmptyTopic(MqttReader reader, Properties properties) {
        if (!reader.version().isV5()) {
            throw reader.malformed("PUBLISH with an empty topic name [MQTT-4.7.3-1]");
        }
        if (!properties.contains(PropertyId.TOPIC_ALIAS)) {
            throw reader.protocolError("PUBLISH with an empty topic name and no topic alias (spec 3.3.2.1)");
        }
    }
}
