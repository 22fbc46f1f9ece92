package io.volantmq.broker.session;

import io.volantmq.broker.LogSafe;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.routing.Router;
import io.volantmq.persistence.PersistenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound PUBLISH and PUBREL of one connection: topic aliases, flow control and QoS 0/1/2 towards
 * the publisher; routing towards the subscribers.
 */
final class PublishFlow {
    private static final Logger log = LoggerFactory.getLogger(PublishFlow.class);

    private final BrokerContext broker;
    /** MQTT 5 inbound topic aliases of this connection, index = alias. */
    private String[] aliases;

    PublishFlow(BrokerContext broker) {
        this.broker = broker;
    }

    void onPublish(MqttConnection connection, Session session, Publish publish) {
        boolean v5 = connection.version().isV5();
        if (v5) {
            publish = resolveAlias(connection, publish);
            if (publish == null) {
                return;
            }
            if (publish.qos() == 2 && !session.hasIncomingQos2(publish.packetId())
                    && session.incomingQos2Count() >= broker.config().receiveMaximum()) {
                connection.closeWithReason(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED,
                        "more than " + broker.config().receiveMaximum() + " unacknowledged QoS 2 messages [MQTT-3.3.4-7]");
                return;
            }
        }
        int code = check(connection, session, publish);
        if (code != ReasonCode.SUCCESS && publish.qos() == 0) {
            if (code == ReasonCode.PAYLOAD_FORMAT_INVALID) {
                connection.closeWithReason(code, "payload is not the UTF-8 its format indicator says");
            }
            return; // 3.x and QoS 0 have no way to say no: dropped
        }
        try {
            route(connection, session, publish, code, v5);
        } catch (PersistenceException e) {
            // nothing was acknowledged: the client keeps the message and sends it again
            if (publish.qos() == 2) {
                session.forgetIncomingQos2(publish.packetId());
            }
            if (v5 && publish.qos() > 0) {
                log.warn("not acknowledging {} from {}: {}", LogSafe.escape(publish.topic()),
                        LogSafe.escape(session.clientId()), e.getMessage());
                PacketType type = publish.qos() == 1 ? PacketType.PUBACK : PacketType.PUBREC;
                connection.writeWhenDurable(new PubReply(type, publish.packetId(), ReasonCode.UNSPECIFIED_ERROR,
                        connection.reasonString("store unavailable")));
            } else if (publish.qos() > 0) {
                connection.closeWithReason(ReasonCode.UNSPECIFIED_ERROR, "store unavailable, message not acknowledged: "
                        + e.getMessage());
            }
        }
    }

    private void route(MqttConnection connection, Session session, Publish publish, int code, boolean v5) {
        switch (publish.qos()) {
            case 0 -> routeAndPace(connection, session, publish);
            case 1 -> {
                if (code == ReasonCode.SUCCESS && !routeAndPace(connection, session, publish) && v5) {
                    code = ReasonCode.NO_MATCHING_SUBSCRIBERS;
                }
                connection.writeWhenDurable(new PubReply(PacketType.PUBACK, publish.packetId(), v5 ? code : 0, null));
            }
            default -> {
                // exactly once: a PUBLISH re-sent before PUBREL is acknowledged but not routed again [MQTT-4.3.3-10]
                if (code == ReasonCode.SUCCESS && session.acceptIncomingQos2(publish.packetId())
                        && !routeAndPace(connection, session, publish) && v5) {
                    code = ReasonCode.NO_MATCHING_SUBSCRIBERS;
                }
                connection.writeWhenDurable(new PubReply(PacketType.PUBREC, publish.packetId(), v5 ? code : 0, null));
            }
        }
    }

    /** Routes the message; slows the publisher when a subscriber's queue fills. False: nobody subscribed. */
    private boolean routeAndPace(MqttConnection connection, Session session, Publish publish) {
        Router.Outcome outcome = broker.router().publish(session.clientId(), publish);
        if (outcome == Router.Outcome.CONGESTED) {
            connection.throttle();
        }
        return outcome.matched();
    }

    /** SUCCESS, or why the message is not routed (ACL, payload format). */
    private int check(MqttConnection connection, Session session, Publish publish) {
        if (publish.topic().startsWith("$SYS/") || publish.topic().equals("$SYS")) {
            log.warn("client {} may not publish to the broker's own topic '{}': dropped",
                    LogSafe.escape(session.clientId()), LogSafe.escape(publish.topic()));
            return ReasonCode.NOT_AUTHORIZED; // $SYS is the broker's: clients must not forge it
        }
        if (!broker.acl().mayPublish(connection.identity(), publish.topic())) {
            log.warn("client {} may not publish to '{}': dropped", LogSafe.escape(session.clientId()),
                    LogSafe.escape(publish.topic()));
            return ReasonCode.NOT_AUTHORIZED;
        }
        Integer format = publish.properties().getInt(PropertyId.PAYLOAD_FORMAT_INDICATOR);
        if (broker.config().validatePayloadFormat() && format != null && format == 1
                && !MqttCodec.isWellFormedUtf8(publish.payload())) {
            log.warn("client {} sent a payload to '{}' marked UTF-8 that is not", LogSafe.escape(session.clientId()),
                    LogSafe.escape(publish.topic()));
            return ReasonCode.PAYLOAD_FORMAT_INVALID; // [MQTT-3.3.2-4]
        }
        return ReasonCode.SUCCESS;
    }

    /** Applies an MQTT 5 Topic Alias; null when the connection was closed for a bad one. */
    private Publish resolveAlias(MqttConnection connection, Publish publish) {
        Integer alias = publish.properties().getInt(PropertyId.TOPIC_ALIAS);
        if (alias == null) {
            return publish;
        }
        int max = broker.config().topicAliasMaximum();
        if (alias == 0 || alias > max) {
            connection.closeWithReason(ReasonCode.TOPIC_ALIAS_INVALID,
                    "topic alias " + alias + " outside 1.." + max + " [MQTT-3.3.2-8/9]");
            return null;
        }
        if (aliases == null) {
            aliases = new String[max + 1];
        }
        if (!publish.topic().isEmpty()) {
            aliases[alias] = publish.topic();
            return publish;
        }
        String topic = aliases[alias];
        if (topic == null) {
            connection.protocolViolation("topic alias " + alias + " used before it was set");
            return null;
        }
        return new Publish(topic, publish.qos(), publish.retain(), publish.dup(), publish.packetId(),
                publish.payload(), publish.properties());
    }

    void onPubRel(MqttConnection connection, Session session, PubReply pubRel) {
        boolean known = session.releaseIncomingQos2(pubRel.packetId());
        int code = known || !connection.version().isV5() ? ReasonCode.SUCCESS : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND;
        connection.writeWhenDurable(new PubReply(PacketType.PUBCOMP, pubRel.packetId(), code, null));
    }
}
