package io.volantmq.broker.routing;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.retained.RetainedIndex;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.StoredMessage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Routes one application message to every matching session: QoS 0 to online sessions straight to
 * their connection, everything else through the store queues (stored once for all of them).
 */
public final class Router {
    private final SubscriptionTree tree;
    private final RetainedIndex retained;
    private final RecipientDirectory directory;
    private final MessageStore messages;
    private final QueueLimits limits;
    private final MessagePropertiesCodec propertiesCodec;
    private final AccessControl acl;
    private final boolean offlineQos0;
    private final boolean overlapping;
    private final LongAdder routed = new LongAdder();
    private final LongAdder noSubscribers = new LongAdder();

    public Router(SubscriptionTree tree, RetainedIndex retained, RecipientDirectory directory, MessageStore messages,
                  QueueLimits limits, MessagePropertiesCodec propertiesCodec, AccessControl acl, BrokerConfig config) {
        this.tree = tree;
        this.retained = retained;
        this.directory = directory;
        this.messages = messages;
        this.limits = limits;
        this.propertiesCodec = propertiesCodec;
        this.acl = acl;
        this.offlineQos0 = config.offlineQos0();
        this.overlapping = config.allowOverlappingSubscriptions();
    }

    /** What one subscriber gets of one message. */
    private record Delivery(String clientId, int qos, boolean retainAsPublished, boolean noLocal,
                            List<Integer> subscriptionIds) {
    }

    /**
     * Publishes a message received from {@code originClientId} (null for the broker itself, e.g. a will).
     * Runs on the caller's thread; never blocks on a subscriber.
     */
    public void publish(String originClientId, Publish publish) {
        long now = System.currentTimeMillis();
        StoredMessage stored = null;
        if (publish.retain()) {
            stored = propertiesCodec.toStored(publish, now);
            retained.update(stored);
        }
        List<Subscriber> matches = tree.match(publish.topic());
        if (matches.isEmpty()) {
            noSubscribers.increment();
            return;
        }
        routed.increment();
        List<QueueTarget> targets = new ArrayList<>();
        List<Recipient> toNotify = new ArrayList<>();
        for (Delivery d : deliveries(matches)) {
            if (d.noLocal && d.clientId.equals(originClientId)) {
                continue; // MQTT 5 no local [MQTT-3.8.3-3]
            }
            Recipient recipient = directory.find(d.clientId);
            if (recipient == null || !acl.mayReceive(recipient.identity(), publish.topic())) {
                continue;
            }
            int qos = Math.min(publish.qos(), d.qos);
            // [MQTT-3.3.1-9] forwarded to an established subscription: retain 0, unless retain as published (5.0)
            boolean retain = d.retainAsPublished && publish.retain();
            boolean online = recipient.online();
            if (qos == 0 && online) {
                recipient.sendDirect(propertiesCodec.forDelivery(publish, retain, d.subscriptionIds));
                continue;
            }
            if (!online && (!recipient.persistent() || (qos == 0 && !offlineQos0))) {
                continue;
            }
            if (!limits.admit(d.clientId, publish.payload().length)) {
                continue;
            }
            targets.add(new QueueTarget(d.clientId, qos, retain, d.subscriptionIds));
            toNotify.add(recipient);
        }
        if (!targets.isEmpty()) {
            if (stored == null) {
                stored = propertiesCodec.toStored(publish, now);
            }
            messages.enqueue(stored, targets);
            for (Recipient recipient : toNotify) {
                recipient.notifyQueued();
            }
        }
    }

    /** One delivery per client at the highest QoS of its matching subscriptions, or one per subscription. */
    private Iterable<Delivery> deliveries(List<Subscriber> matches) {
        List<Delivery> result = new ArrayList<>(matches.size());
        if (overlapping) {
            for (Subscriber s : matches) {
                result.add(delivery(s));
            }
            return result;
        }
        Map<String, Delivery> byClient = new LinkedHashMap<>();
        for (Subscriber s : matches) {
            byClient.merge(s.clientId(), delivery(s), Router::combine);
        }
        return byClient.values();
    }

    private static Delivery delivery(Subscriber s) {
        SubscriptionOptions o = s.options();
        return new Delivery(s.clientId(), o.qos(), o.retainAsPublished(), o.noLocal(),
                o.subscriptionId() == 0 ? List.of() : List.of(o.subscriptionId()));
    }

    private static Delivery combine(Delivery a, Delivery b) {
        List<Integer> ids = new ArrayList<>(a.subscriptionIds);
        ids.addAll(b.subscriptionIds);
        // no local applies only if every matching subscription asked for it
        return new Delivery(a.clientId, Math.max(a.qos, b.qos), a.retainAsPublished || b.retainAsPublished,
                a.noLocal && b.noLocal, ids);
    }

    public long routedCount() {
        return routed.sum();
    }

    public long noSubscriberCount() {
        return noSubscribers.sum();
    }

    public QueueLimits limits() {
        return limits;
    }
}
