package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;

/** PUBLISH (spec 3.3). Refuses what our own decoder would reject as malformed. */
final class PublishEncoder {
    private PublishEncoder() {
    }

    static int flags(Publish publish) {
        return (publish.dup() ? 0b1000 : 0) | publish.qos() << 1 | (publish.retain() ? 1 : 0);
    }

    static int remainingLength(Publish publish, ProtocolVersion version) {
        check(publish, version);
        int size = MqttWriter.utf8Size(publish.topic());
        if (publish.qos() > 0) {
            size += 2;
        }
        if (version.isV5()) {
            size += PropertiesEncoder.sectionSize(publish.properties(), PacketType.PUBLISH);
        }
        return size + publish.payload().length;
    }

    static void write(Publish publish, ProtocolVersion version, ByteBuf out) {
        MqttWriter.writeUtf8(out, publish.topic());
        if (publish.qos() > 0) {
            out.writeShort(publish.packetId());
        }
        if (version.isV5()) {
            PropertiesEncoder.write(out, publish.properties());
        }
        out.writeBytes(publish.payload());
    }

    private static void check(Publish publish, ProtocolVersion version) {
        if (publish.qos() < 0 || publish.qos() > 2) {
            throw new IllegalArgumentException("PUBLISH QoS out of range: " + publish.qos() + " [MQTT-3.3.1-4]");
        }
        if (publish.qos() == 0 && publish.dup()) {
            throw new IllegalArgumentException("PUBLISH with QoS 0 must not set DUP [MQTT-3.3.1-2]");
        }
        if (publish.qos() > 0) {
            MqttWriter.checkPacketId(publish.packetId());
        }
        if (publish.topic().isEmpty()
                && !(version.isV5() && publish.properties().contains(PropertyId.TOPIC_ALIAS))) {
            throw new IllegalArgumentException("PUBLISH with an empty topic name needs MQTT 5 and a topic alias");
        }
    }
}
