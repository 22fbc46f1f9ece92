package io.volantmq.broker.session;

import io.volantmq.broker.BrokerContext;

import io.volantmq.broker.LogSafe;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.Topics;
import io.volantmq.broker.protocol.UnsubAck;
import io.volantmq.broker.protocol.Unsubscribe;
import io.volantmq.broker.routing.QueueLimits;
import io.volantmq.broker.routing.SharedSubscriptions;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.plugin.api.SubscribeResult;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** SUBSCRIBE and UNSUBSCRIBE: the tree, the stored subscriptions, and retained messages on subscribe. */
final class SubscribeFlow {
    private static final Logger log = LoggerFactory.getLogger(SubscribeFlow.class);

    private final BrokerContext broker;

    SubscribeFlow(BrokerContext broker) {
        this.broker = broker;
    }

    private record RetainedDelivery(StoredMessage message, int qos, List<Integer> subscriptionIds) {
    }

    /** What blocking plugins answered for one filter: the interceptors' result, whether the ACL allows it. */
    private record Answer(SubscribeResult intercepted, Boolean allowed) {
        static final Answer NONE = new Answer(null, null);
    }

    void onSubscribe(MqttConnection connection, Session session, Subscribe subscribe) {
        if (broker.plugins().subscribeMayBlock() || broker.acl().mayBlock()) {
            decideAsync(connection, session, subscribe);
            return;
        }
        decided(connection, session, subscribe, null);
    }

    /**
     * A plugin interceptor or authorizer may block: the connection stops reading while the plugins answer for
     * every filter, in order, on their executors; the SUBSCRIBE then completes on the event loop with those
     * answers, and the packets held behind it follow. The answers for filters the flow then refuses for other
     * reasons (limits) go unused.
     */
    private void decideAsync(MqttConnection connection, Session session, Subscribe subscribe) {
        ClientIdentity identity = connection.identity();
        boolean v5 = connection.version().isV5();
        int bound = Math.min(subscribe.subscriptions().size(), broker.limits().maxFiltersPerSubscribe());
        connection.awaitPlugin();
        CompletableFuture<List<Answer>> answers = CompletableFuture.completedFuture(new ArrayList<>(bound));
        for (Subscription s : subscribe.subscriptions().subList(0, bound)) {
            answers = answers.thenCompose(list -> answer(identity, s, v5).thenApply(a -> {
                list.add(a);
                return list;
            }));
        }
        answers.whenComplete((list, error) -> connection.afterPlugin(() -> {
            if (error != null) {
                throw new IllegalStateException("a plugin's answer failed", error);
            }
            decided(connection, session, subscribe, list);
        }));
    }

    private static boolean valid(String filter, boolean v5) {
        return v5 ? Topics.isValidFilter(filter) : Topics.isValidPlainFilter(filter);
    }

    /** The interceptors' and the ACL's answers for one filter, asked as {@link #decided} would. */
    private CompletionStage<Answer> answer(ClientIdentity identity, Subscription s, boolean v5) {
        String filter = s.filter();
        if (!valid(filter, v5)) {
            return CompletableFuture.completedFuture(Answer.NONE);
        }
        CompletionStage<SubscribeResult> intercepted = broker.plugins().hasSubscribeInterceptors()
                ? broker.plugins().onSubscribeAsync(identity, filter, s.qos()) : CompletableFuture.completedFuture(null);
        return intercepted.thenCompose(r -> {
            if (r != null && (r.denied() || !r.filter().equals(filter) && !valid(r.filter(), v5))) {
                return CompletableFuture.completedFuture(new Answer(r, null));
            }
            return broker.acl().maySubscribeAsync(identity, r == null ? filter : r.filter())
                    .thenApply(allowed -> new Answer(r, allowed));
        });
    }

    /** The SUBSCRIBE; {@code answers} holds the plugins' answers per filter when they were asked before. */
    private void decided(MqttConnection connection, Session session, Subscribe subscribe, List<Answer> answers) {
        ProtocolVersion version = connection.version();
        ResourceLimits limits = broker.limits();
        Integer subscriptionId = subscribe.properties().getInt(PropertyId.SUBSCRIPTION_IDENTIFIER);
        List<Integer> codes = new ArrayList<>(subscribe.subscriptions().size());
        List<RetainedDelivery> retained = new ArrayList<>();
        long now = System.currentTimeMillis();
        int failure = version.isV5() ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.V3_SUBACK_FAILURE;
        int overPacketLimit = 0;
        for (Subscription s : subscribe.subscriptions()) {
            String filter = s.filter();
            Answer answer = answers == null || codes.size() >= answers.size() ? Answer.NONE : answers.get(codes.size());
            if (codes.size() >= limits.maxFiltersPerSubscribe()) {
                // every filter still gets its own code [MQTT-3.8.4-6]; only the work is bounded
                overPacketLimit++;
                codes.add(failure);
                continue;
            }
            boolean valid = version.isV5() ? Topics.isValidFilter(filter) : Topics.isValidPlainFilter(filter);
            if (!valid) {
                log.warn("client {} subscribed to invalid topic filter {}: refused",
                        LogSafe.escape(session.clientId()), LogSafe.escape(Topics.abbreviate(filter)));
                codes.add(version.isV5() ? ReasonCode.TOPIC_FILTER_INVALID : ReasonCode.V3_SUBACK_FAILURE);
                continue;
            }
            if (limits.tooManyLevels(SharedSubscriptions.indexedFilter(filter, version.isV5()))) {
                broker.metrics().limitRefused(BrokerMetrics.Limit.TOPIC_LEVELS);
                log.warn("client {} from {} subscribed to a filter of more than {} levels (volantmq.maxTopicLevels)"
                        + " {}: refused", session.clientId(), connection.remoteAddress(), limits.maxTopicLevels(),
                        Topics.abbreviate(filter));
                codes.add(version.isV5() ? ReasonCode.TOPIC_FILTER_INVALID : ReasonCode.V3_SUBACK_FAILURE);
                continue;
            }
            if (!session.subscriptions().containsKey(filter)
                    && !limits.maySubscribeMore(session.subscriptions().size())) {
                broker.metrics().limitRefused(BrokerMetrics.Limit.SUBSCRIPTIONS);
                log.warn("client {} from {} holds {} subscriptions, the limit (volantmq.maxSubscriptionsPerClient):"
                        + " {} refused", session.clientId(), connection.remoteAddress(),
                        session.subscriptions().size(), Topics.abbreviate(filter));
                codes.add(failure);
                continue;
            }
            int qos = s.qos();
            if (broker.plugins().hasSubscribeInterceptors()) {
                SubscribeResult r = answer.intercepted() != null ? answer.intercepted()
                        : broker.plugins().onSubscribe(connection.identity(), filter, qos);
                if (r.denied()) {
                    log.info("client {}: subscription to '{}' refused by a plugin (0x{})", LogSafe.escape(session.clientId()),
                            LogSafe.escape(filter), Integer.toHexString(r.reasonCode()));
                    codes.add(version.isV5() ? r.reasonCode() : ReasonCode.V3_SUBACK_FAILURE);
                    continue;
                }
                if (!r.filter().equals(filter) && !(version.isV5() ? Topics.isValidFilter(r.filter())
                        : Topics.isValidPlainFilter(r.filter()))) {
                    log.warn("client {}: a plugin rewrote filter '{}' to an invalid one '{}': refused",
                            LogSafe.escape(session.clientId()), LogSafe.escape(filter), LogSafe.escape(r.filter()));
                    codes.add(version.isV5() ? ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR : ReasonCode.V3_SUBACK_FAILURE);
                    continue;
                }
                filter = r.filter();
                qos = r.qos();
            }
            boolean allowed = answer.allowed() != null ? answer.allowed()
                    : broker.acl().maySubscribe(connection.identity(), filter);
            if (!allowed) {
                log.warn("client {} may not subscribe to '{}': refused", LogSafe.escape(session.clientId()),
                        LogSafe.escape(filter));
                codes.add(version.isV5() ? ReasonCode.NOT_AUTHORIZED : ReasonCode.V3_SUBACK_FAILURE);
                continue;
            }
            SubscriptionOptions options = SubscriptionOptions.of(filter, version.isV5(), qos, s.noLocal(),
                    s.retainAsPublished(), subscriptionId == null ? 0 : subscriptionId);
            if (options.shared() && s.noLocal()) {
                connection.protocolViolation("no local on a shared subscription [MQTT-3.8.3-4]");
                return;
            }
            boolean existed = broker.tree().subscribe(session.clientId(), filter, options);
            session.subscriptions().put(filter, options);
            session.subscriptionsChanged();
            broker.sessions().saveSubscription(session, filter, options, s.retainHandling());
            codes.add(qos);
            broker.plugins().subscribed(connection.identity(), filter, qos);
            // retain handling 0: always send retained; 1: only for a new subscription; 2: never;
            // never on a shared subscription [MQTT-4.8.2-6]
            if (!options.shared() && (s.retainHandling() == 0 || (s.retainHandling() == 1 && !existed))) {
                for (StoredMessage message : broker.retained().match(filter, now)) {
                    if (!broker.acl().mayReceive(connection.identity(), message.topic())) {
                        continue;
                    }
                    retained.add(new RetainedDelivery(message, Math.min(message.qos(), qos),
                            options.subscriptionId() == 0 ? List.of() : List.of(options.subscriptionId())));
                }
            }
        }
        if (overPacketLimit > 0) {
            broker.metrics().limitRefused(BrokerMetrics.Limit.SUBSCRIBE_FILTERS);
            log.warn("client {} from {} sent a SUBSCRIBE with {} topic filters; the {} after the first {}"
                    + " (volantmq.maxFiltersPerSubscribe) were refused", session.clientId(),
                    connection.remoteAddress(), codes.size(), overPacketLimit, limits.maxFiltersPerSubscribe());
        }
        // [MQTT-3.8.4-1] SUBACK first, then the retained messages
        connection.write(new SubAck(subscribe.packetId(), codes, null));
        deliverRetained(session, retained, now);
    }

    /**
     * Retained messages go the way of any other delivery, so a burst on a wide filter cannot
     * outrun a slow subscriber: QoS 0 straight to the connection while it is writable (dropped
     * when not, as any QoS 0), QoS 1/2 into the session's queue through its bound (and drop policy),
     * from which the session sends them as its inflight window and the channel allow.
     */
    private void deliverRetained(Session session, List<RetainedDelivery> deliveries, long now) {
        boolean queued = false;
        QueueLimits queueLimits = broker.router().limits();
        for (RetainedDelivery d : deliveries) {
            if (d.qos == 0) {
                session.sendDirect(broker.messageCodec().retainedForDelivery(d.message, 0, d.subscriptionIds, now));
            } else if (queueLimits.admit(session.clientId(), session.queue(), d.message.payload().length)
                    != QueueLimits.Admission.REJECT) {
                session.queue().enqueue(d.message,
                        List.of(new QueueTarget(session.clientId(), d.qos, true, d.subscriptionIds)));
                queued = true;
            }
        }
        if (queued) {
            session.pump();
        }
    }

    void onUnsubscribe(MqttConnection connection, Session session, Unsubscribe unsubscribe) {
        List<Integer> codes = new ArrayList<>(unsubscribe.filters().size());
        for (String filter : unsubscribe.filters()) {
            boolean existed = broker.tree().unsubscribe(session.clientId(), filter,
                    session.subscriptions().remove(filter));
            session.subscriptionsChanged();
            broker.sessions().deleteSubscription(session, filter);
            codes.add(existed ? ReasonCode.SUCCESS : ReasonCode.NO_SUBSCRIPTION_EXISTED);
            if (existed) {
                broker.plugins().unsubscribed(connection.identity(), filter);
            }
        }
        connection.write(new UnsubAck(unsubscribe.packetId(), codes, null));
    }
}
