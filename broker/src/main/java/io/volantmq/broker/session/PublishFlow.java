package io.volantmq.broker.session;

import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Inbound PUBLISH and PUBREL: QoS 0/1/2 towards the publisher, routing towards the subscribers. */
final class PublishFlow {
    private static final Logger log = LoggerFactory.getLogger(PublishFlow.class);
    private final BrokerContext broker;

    PublishFlow(BrokerContext broker) {
        this.broker = broker;
    }

    void onPublish(MqttConnection connection, Session session, Publish publish) {
        if (connection.version().isV5() && publish.properties().contains(PropertyId.TOPIC_ALIAS)) {
            // CONNACK announces Topic Alias Maximum 0 until aliases are supported [MQTT-3.3.2-9]
            connection.closeWithReason(ReasonCode.TOPIC_ALIAS_INVALID, "topic alias used but none was granted");
            return;
        }
        boolean allowed = broker.acl().mayPublish(connection.identity(), publish.topic());
        if (!allowed) {
            log.warn("client {} may not publish to '{}': dropped", session.clientId(), publish.topic());
        }
        // 3.x has no way to say no: the message is acknowledged and dropped; 5.0 answers 0x87
        int code = allowed || !connection.version().isV5() ? ReasonCode.SUCCESS : ReasonCode.NOT_AUTHORIZED;
        switch (publish.qos()) {
            case 0 -> {
                if (allowed) {
                    broker.router().publish(session.clientId(), publish);
                }
            }
            case 1 -> {
                if (allowed) {
                    broker.router().publish(session.clientId(), publish);
                }
                connection.write(new PubReply(PacketType.PUBACK, publish.packetId(), code, null));
            }
            default -> {
                // exactly once: a PUBLISH re-sent before PUBREL is acknowledged but not routed again [MQTT-4.3.3-10]
                if (allowed && session.acceptIncomingQos2(publish.packetId())) {
                    broker.router().publish(session.clientId(), publish);
                }
                connection.write(new PubReply(PacketType.PUBREC, publish.packetId(), code, null));
            }
        }
    }

    void onPubRel(MqttConnection connection, Session session, PubReply pubRel) {
        boolean known = session.releaseIncomingQos2(pubRel.packetId());
        int code = known || !connection.version().isV5() ? ReasonCode.SUCCESS : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND;
        connection.write(new PubReply(PacketType.PUBCOMP, pubRel.packetId(), code, null));
    }
}
