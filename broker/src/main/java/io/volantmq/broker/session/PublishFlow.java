package io.volantmq.broker.session;

import io.volantmq.broker.BrokerContext;

import io.volantmq.broker.LogSafe;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Topics;
import io.volantmq.broker.routing.Router;
import io.volantmq.broker.PluginMessages;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.plugin.api.InterceptResult;
import io.volantmq.persistence.PersistenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;

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
        }
        // MQTT 5 clients were told the bound in CONNACK [MQTT-3.3.4-7]; 3.x has no Receive Maximum, so a
        // looser one applies unannounced: without it one client could hold 65,535 unreleased ids
        int receiveMaximum = v5 ? broker.config().receiveMaximum() : broker.limits().receiveMaximumV3();
        if (publish.qos() == 2 && !session.hasIncomingQos2(publish.packetId())
                && session.incomingQos2Count() >= receiveMaximum) {
            broker.metrics().limitRefused(BrokerMetrics.Limit.INBOUND_QOS2);
            connection.closeWithReason(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "more than " + receiveMaximum
                    + " unacknowledged QoS 2 messages " + (v5 ? "[MQTT-3.3.4-7]" : "(volantmq.receiveMaximumV3)"));
            return;
        }
        if (broker.limits().tooManyLevels(publish.topic())) {
            refuseDeepTopic(connection, session, publish, v5);
            return;
        }
        if (broker.acl().mayBlock() || broker.plugins().publishMayBlock()) {
            decideAsync(connection, session, publish, v5);
            return;
        }
        decided(connection, session, publish, v5,
                PublishPermission.refusal(broker.acl(), connection.identity(), publish.topic()), null);
    }

    /** What blocking plugins answered for one PUBLISH: the ACL's refusal (or null), the interceptors' result. */
    private record Answers(String refusal, InterceptResult intercepted) {
    }

    /**
     * A plugin authorizer or interceptor may block: the connection stops reading, the questions go to the
     * plugins' executors, and the rest of this PUBLISH (and then the packets behind it, in order) runs on the
     * event loop once they answered or timed out. Meanwhile the event loop serves its other connections.
     */
    private void decideAsync(MqttConnection connection, Session session, Publish publish, boolean v5) {
        ClientIdentity identity = connection.identity();
        connection.awaitPlugin();
        PublishPermission.refusalAsync(broker.acl(), identity, publish.topic(), false)
                .thenCompose(refusal -> {
                    if (refusal != null || formatInvalid(publish) || !broker.plugins().hasPublishInterceptors()) {
                        return CompletableFuture.completedFuture(new Answers(refusal, null));
                    }
                    return broker.plugins().onPublishAsync(identity, PluginMessages.message(publish))
                            .thenApply(r -> new Answers(null, r));
                })
                .whenComplete((answers, error) -> connection.afterPlugin(() -> {
                    if (error != null) {
                        throw new IllegalStateException("a plugin's answer failed", error);
                    }
                    decided(connection, session, publish, v5, answers.refusal(), answers.intercepted());
                }));
    }

    /**
     * The rest of a PUBLISH once the ACL answered ({@code refusal}, null when allowed): payload format,
     * interceptors ({@code intercepted} when they already answered, else asked now), routing, acknowledgement.
     */
    private void decided(MqttConnection connection, Session session, Publish publish, boolean v5, String refusal,
                         InterceptResult intercepted) {
        int code = check(session, publish, refusal);
        if (code != ReasonCode.SUCCESS && publish.qos() == 0) {
            if (code == ReasonCode.PAYLOAD_FORMAT_INVALID) {
                connection.closeWithReason(code, "payload is not the UTF-8 its format indicator says");
            }
            return; // 3.x and QoS 0 have no way to say no: dropped
        }
        Publish routed = publish;
        if (code == ReasonCode.SUCCESS && broker.plugins().hasPublishInterceptors()) {
            routed = intercept(session, publish, intercepted != null ? intercepted
                    : broker.plugins().onPublish(connection.identity(), PluginMessages.message(publish)));
            if (routed == null) {
                code = dropCode;
                if (publish.qos() == 0) {
                    return;
                }
            }
        }
        try {
            route(connection, session, publish, routed, code, v5);
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

    /**
     * A topic deeper than {@code maxTopicLevels}: well-formed, but not accepted. MQTT 5 QoS 1/2 get
     * PUBACK/PUBREC 0x90 Topic Name invalid and the connection stays; QoS 0 has no acknowledgement to
     * carry it, so DISCONNECT 0x90; 3.x has no code for it: the connection is closed.
     */
    private void refuseDeepTopic(MqttConnection connection, Session session, Publish publish, boolean v5) {
        broker.metrics().limitRefused(BrokerMetrics.Limit.TOPIC_LEVELS);
        String reason = "PUBLISH topic has more than " + broker.limits().maxTopicLevels()
                + " levels (volantmq.maxTopicLevels): " + Topics.abbreviate(publish.topic());
        if (v5 && publish.qos() > 0) {
            log.warn("client {} from {}: {}; refused", session.clientId(), connection.remoteAddress(), reason);
            PacketType type = publish.qos() == 1 ? PacketType.PUBACK : PacketType.PUBREC;
            connection.writeWhenDurable(new PubReply(type, publish.packetId(), ReasonCode.TOPIC_NAME_INVALID,
                    connection.reasonString(reason)));
        } else {
            connection.closeWithReason(ReasonCode.TOPIC_NAME_INVALID, reason);
        }
    }

    /**
     * The plugins' inbound interceptors: the message to route (the same, or changed), or null when one dropped
     * it ({@link #dropCode} then says with which reason code the publisher is answered).
     */
    private Publish intercept(Session session, Publish publish, InterceptResult r) {
        if (r.action() == InterceptResult.Action.CONTINUE) {
            return publish;
        }
        if (r.action() == InterceptResult.Action.MODIFY) {
            if (Topics.isValidTopicName(r.message().topic())) {
                return PluginMessages.publish(publish, r.message());
            }
            log.warn("client {}: a plugin rewrote topic '{}' to an invalid topic name '{}'; dropped",
                    LogSafe.escape(session.clientId()), LogSafe.escape(publish.topic()), LogSafe.escape(r.message().topic()));
            dropCode = ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;
        } else {
            log.debug("client {}: PUBLISH to '{}' dropped by a plugin: {}", LogSafe.escape(session.clientId()),
                    LogSafe.escape(publish.topic()), r.reason());
            dropCode = r.reasonCode();
        }
        broker.plugins().messageDropped(session.clientId(), publish.topic(),
                "publish interceptor: " + (r.reason() == null ? "dropped" : r.reason()));
        return null;
    }

    /** The reason code of the last PUBLISH a plugin dropped (event loop only). */
    private int dropCode;

    /** Acknowledges {@code publish} as received; routes {@code routed}, which a plugin may have changed. */
    private void route(MqttConnection connection, Session session, Publish publish, Publish routed, int code,
                       boolean v5) {
        switch (publish.qos()) {
            case 0 -> routeAndPace(connection, session, routed, false);
            case 1 -> {
                if (code == ReasonCode.SUCCESS) {
                    int[] routedCode = new int[1];
                    // its queue entries and what a cluster hands on reach the store in one write
                    broker.store().together(() ->
                            routedCode[0] = ackCode(routeAndPace(connection, session, routed, v5), v5));
                    code = routedCode[0];
                }
                writeAck(connection, routed, new PubReply(PacketType.PUBACK, publish.packetId(), v5 ? code : 0, null));
            }
            default -> {
                int[] routedCode = {code};
                if (code == ReasonCode.SUCCESS) {
                    // the id, the queue entries and what a cluster hands on: one write, so a crash leaves
                    // either all of them (a resent PUBLISH is recognised) or none (it is routed as new)
                    broker.store().together(() -> {
                        // exactly once: a PUBLISH re-sent before PUBREL is acknowledged but not routed again [MQTT-4.3.3-10]
                        if (session.acceptIncomingQos2(publish.packetId(), connection.storeWork())) {
                            routedCode[0] = ackCode(routeAndPace(connection, session, routed, v5), v5);
                            if (routedCode[0] == ReasonCode.QUOTA_EXCEEDED) {
                                session.forgetIncomingQos2(publish.packetId()); // a PUBREC >= 0x80 ends the exchange
                            }
                        }
                    });
                }
                writeAck(connection, routed, new PubReply(PacketType.PUBREC, publish.packetId(),
                        v5 ? routedCode[0] : 0, null));
            }
        }
    }

    /**
     * PUBACK/PUBREC once what it confirms is durable. A message that went only to heap queues (sessions that end
     * with their connection), from a publisher whose QoS 2 id is not stored either, handed nothing to the store
     * lane: with no earlier acknowledgement of this connection still waiting there (they go out in order
     * [MQTT-4.6.0-2]) it is written at once instead of waiting for a sync that confirms nothing. A retained
     * message was written to the store on this thread, so it still waits.
     */
    private static void writeAck(MqttConnection connection, Publish routed, PubReply ack) {
        if (connection.laneIdle() && (routed == null || !routed.retain())) {
            connection.write(ack);
        } else {
            connection.writeWhenDurable(ack);
        }
    }

    /** The MQTT 5 acknowledgement code of a routed message. */
    private static int ackCode(Router.Outcome outcome, boolean v5) {
        if (!v5 || outcome == Router.Outcome.ROUTED || outcome == Router.Outcome.CONGESTED) {
            return ReasonCode.SUCCESS;
        }
        // over the retained bounds: neither retained nor routed, and the publisher is told (spec 3.4.2.1, 0x97)
        return outcome == Router.Outcome.RETAIN_REFUSED ? ReasonCode.QUOTA_EXCEEDED
                : ReasonCode.NO_MATCHING_SUBSCRIBERS;
    }

    /** Routes the message; slows the publisher when a subscriber's queue fills or another node falls behind. */
    private Router.Outcome routeAndPace(MqttConnection connection, Session session, Publish publish,
                                        boolean refuseUnretained) {
        Router.Outcome outcome = broker.router().publish(session.clientId(), publish, refuseUnretained,
                connection.storeWork(), connection::pauseUntil);
        if (outcome == Router.Outcome.CONGESTED) {
            connection.throttle();
        }
        return outcome;
    }

    /** SUCCESS, or why the message is not routed (ACL, payload format). */
    private int check(Session session, Publish publish, String refusal) {
        if (refusal != null) {
            log.warn("client {} may not publish: {}; dropped", LogSafe.escape(session.clientId()),
                    LogSafe.escape(refusal));
            return ReasonCode.NOT_AUTHORIZED;
        }
        if (formatInvalid(publish)) {
            log.warn("client {} sent a payload to '{}' marked UTF-8 that is not", LogSafe.escape(session.clientId()),
                    LogSafe.escape(publish.topic()));
            return ReasonCode.PAYLOAD_FORMAT_INVALID; // [MQTT-3.3.2-4]
        }
        return ReasonCode.SUCCESS;
    }

    /** A payload marked UTF-8 that is not, when the broker checks (pure: any thread). */
    private boolean formatInvalid(Publish publish) {
        Integer format = publish.properties().getInt(PropertyId.PAYLOAD_FORMAT_INDICATOR);
        return broker.config().validatePayloadFormat() && format != null && format == 1
                && !MqttCodec.isWellFormedUtf8(publish.payload());
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
