package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;

/** SUBSCRIBE (spec 3.8); for clients and tests. 3.x sends only the QoS of each subscription. */
final class SubscribeEncoder {
    private SubscribeEncoder() {
    }

    static int remainingLength(Subscribe subscribe, ProtocolVersion version) {
        MqttWriter.checkPacketId(subscribe.packetId());
        if (subscribe.subscriptions().isEmpty()) {
            throw new IllegalArgumentException("SUBSCRIBE needs a topic filter [MQTT-3.8.3-3]");
        }
        int size = 2;
        if (version.isV5()) {
            size += PropertiesEncoder.sectionSize(subscribe.properties(), PacketType.SUBSCRIBE);
        }
        for (Subscription subscription : subscribe.subscriptions()) {
            size += MqttWriter.utf8Size(subscription.filter()) + 1;
        }
        return size;
    }

    static void write(Subscribe subscribe, ProtocolVersion version, ByteBuf out) {
        out.writeShort(subscribe.packetId());
        if (version.isV5()) {
            PropertiesEncoder.write(out, subscribe.properties());
        }
        for (Subscription subscription : subscribe.subscriptions()) {
            MqttWriter.writeUtf8(out, subscription.filter());
            out.writeByte(options(subscription, version));
        }
    }

    private static int options(Subscription subscription, ProtocolVersion version) {
        MqttWriter.checkRange(subscription.qos(), 2, "subscription QoS");
        if (!version.isV5()) {
            return subscription.qos();
        }
        MqttWriter.checkRange(subscription.retainHandling(), 2, "retain handling");
        return subscription.qos()
                | (subscription.noLocal() ? 0x04 : 0)
                | (subscription.retainAsPublished() ? 0x08 : 0)
                | subscription.retainHandling() << 4;
    }
}
