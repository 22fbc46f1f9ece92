package io.volantmq.broker.routing;

import io.volantmq.broker.store.MessagePropertiesCodec;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.cluster.ClusterLink;
import io.volantmq.broker.cluster.SharePlacement;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.codec.SharedPublish;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.Topics;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * Routes one application message to every matching session: QoS 0 to online sessions straight to
 * their connection, everything else through the store queues (stored once for all of them). Each
 * share group of a shared subscription gets the message once, on one member, round robin,
 * preferring members that are online.
 */
public final class Router {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final SubscriptionTree tree;
    private final RetainedIndex retained;
    private final RecipientDirectory directory;
    private final MessageStore messages;
    /** Where each session's queue lives: {@link #messages} or, for sessions that end with their connection, the heap. */
    private final SessionQueues queues;
    private final QueueLimits limits;
    private final MessagePropertiesCodec propertiesCodec;
    private final AccessControl acl;
    private final boolean offlineQos0;
    private final boolean overlapping;
    private final LongAdder routed = new LongAdder();
    private final LongAdder noSubscribers = new LongAdder();
    private final BrokerMetrics metrics;
    private final SharedSubscriptions shared;
    /** The live trace, while one runs (the admin endpoint's); null otherwise. */
    private volatile PublishTap tap;
    /** Heap-queue writes of the routing this thread does, held back ({@link #holdingBackHeapWrites}); null: at once. */
    private final ThreadLocal<List<Runnable>> heldBackHeapWrites = new ThreadLocal<>();
    /** Null unless a plugin intercepts deliveries or listens for drops: the hot path checks for null only. */
    private DeliveryHook deliveryHook;
    /** Other nodes' subscribers; {@link ClusterLink#NONE} on a single node. */
    private ClusterLink cluster = ClusterLink.NONE;

    public Router(SubscriptionTree tree, RetainedIndex retained, RecipientDirectory directory, MessageStore messages,
                  QueueLimits limits, MessagePropertiesCodec propertiesCodec, AccessControl acl, BrokerConfig config,
                  BrokerMetrics metrics) {
        this(tree, retained, directory, new SessionQueues(messages, messages, directory), limits, propertiesCodec, acl,
                config, metrics);
    }

    /** As above, with the queues of sessions that end with their connection kept apart ({@link SessionQueues}). */
    public Router(SubscriptionTree tree, RetainedIndex retained, RecipientDirectory directory, SessionQueues queues,
                  QueueLimits limits, MessagePropertiesCodec propertiesCodec, AccessControl acl, BrokerConfig config,
                  BrokerMetrics metrics) {
        this.metrics = metrics;
        this.queues = queues;
        this.tree = tree;
        this.retained = retained;
        this.directory = directory;
        this.messages = queues.durable();
        this.limits = limits;
        this.propertiesCodec = propertiesCodec;
        this.acl = acl;
        this.offlineQos0 = config.offlineQos0();
        this.overlapping = config.allowOverlappingSubscriptions();
        this.shared = new SharedSubscriptions(tree, directory, queues, limits);
    }

    /** Set once, while the broker is wired, before any message is routed. */
    public void deliveryHook(DeliveryHook hook) {
        this.deliveryHook = hook;
    }

    /** What one subscriber gets of one message. */
    private record Delivery(String clientId, int qos, boolean retainAsPublished, boolean noLocal,
                            List<Integer> subscriptionIds, boolean shared) {
    }

    /** What became of a published message. */
    public enum Outcome {
        /** No subscription matched (MQTT 5 reason 0x10). */
        NO_SUBSCRIBERS,
        ROUTED,
        /** Routed, but a connected subscriber's queue is filling up: the publisher should slow down. */
        CONGESTED,
        /** Neither retained nor routed: the retained bounds are reached (only when the caller asked for it). */
        RETAIN_REFUSED;

        public boolean matched() {
            return this != NO_SUBSCRIBERS && this != RETAIN_REFUSED;
        }
    }

    /**
     * Publishes a message received from {@code originClientId} (for a will, the client it belonged to).
     * Runs on the caller's thread; never blocks on a subscriber.
     */
    public Outcome publish(String originClientId, Publish publish) {
        return publish(originClientId, publish, false);
    }

    /**
     * As {@link #publish(String, Publish)}. A retained message beyond the retained bounds is not
     * retained; with {@code refuseUnretained} it is not routed either ({@link Outcome#RETAIN_REFUSED}):
     * for a publisher told so (MQTT 5 PUBACK/PUBREC 0x97), since a failure code means "not accepted".
     * Without it (QoS 0, 3.x, wills: nobody to tell) the current subscribers still get it.
     */
    public Outcome publish(String originClientId, Publish publish, boolean refuseUnretained) {
        return publish(originClientId, publish, refuseUnretained, Runnable::run);
    }

    /**
     * As above, with the queue appends (and the subscribers' notification that follows them) handed to
     * {@code storeWork}: a publisher's store lane, so the event loop does not wait for the store. The
     * outcome is decided here, before they run.
     */
    public Outcome publish(String originClientId, Publish publish, boolean refuseUnretained, Executor storeWork) {
        return publish(originClientId, publish, refuseUnretained, storeWork, backlog -> { });
    }

    /**
     * As above; {@code backlog} gets what completes once the other nodes this message went to have caught up,
     * when one of them is too far behind ({@link ClusterLink#forward(String, Publish, SharePlacement, Object,
     * java.util.function.Consumer)}).
     */
    public Outcome publish(String originClientId, Publish publish, boolean refuseUnretained, Executor storeWork,
                           java.util.function.Consumer<java.util.concurrent.CompletionStage<Void>> backlog) {
        // each share group is served on one node cluster-wide: decided here, before the local part
        SharePlacement shares = cluster.placeShares(publish.topic());
        // the cluster tells the other nodes which sessions arriving here the local part could not reach yet
        Outcome[] routed = new Outcome[1];
        Object beforeLocal = cluster.routeLocally(publish.topic(), setAside -> routed[0] = route(originClientId,
                publish, refuseUnretained, shares, null, setAside, true, storeWork));
        Outcome local = routed[0];
        if (local == Outcome.RETAIN_REFUSED) {
            cluster.notForwarded(beforeLocal);
            return local;
        }
        // after the local part: a failure to hand it over throws, and the publisher is not acknowledged
        boolean remote = cluster.forward(originClientId, publish, shares, beforeLocal, backlog);
        return remote && local == Outcome.NO_SUBSCRIBERS ? Outcome.ROUTED : local;
    }

    /** A message for this node's subscribers only (its own {@code $SYS} tree), never forwarded. */
    public Outcome publishHere(String originClientId, Publish publish) {
        return route(originClientId, publish, false, SharePlacement.LOCAL, null, null, true, Runnable::run);
    }

    /** A message another node forwarded: local subscribers only, never forwarded again. */
    public Outcome publishForwarded(String originClientId, Publish publish) {
        return route(originClientId, publish, false, SharePlacement.LOCAL, null, null, true, Runnable::run);
    }

    /**
     * A message another node forwarded, with the share groups it placed: those mapped here are served
     * here; the ones without a local member end in {@link SharePlacement#unserved()}.
     */
    public Outcome publishForwarded(String originClientId, Publish publish, SharePlacement shares) {
        return route(originClientId, publish, false, shares, null, null, true, Runnable::run);
    }

    /** As above, leaving out the sessions of {@code except} (they moved, and another node delivers to them). */
    public Outcome publishForwarded(String originClientId, Publish publish, SharePlacement shares,
                                    java.util.Set<String> except) {
        return route(originClientId, publish, false, shares, except.isEmpty() ? null : c -> !except.contains(c), null, true,
                Runnable::run);
    }

    /**
     * A message another node held for sessions that have moved here since: delivered to those of
     * {@code clientIds} whose subscriptions match, nobody else (no share group), and the retained index is
     * left alone (whoever got it first updated it; an older copy must not replace a newer one).
     */
    public Outcome publishForwardedTo(String originClientId, Publish publish, java.util.Set<String> clientIds) {
        return route(originClientId, publish, false, new SharePlacement("", Map.of(), true, true), // no group served
                clientIds::contains, null, false, Runnable::run);
    }

    /** The clients with a plain subscription (not in a share group) matching {@code topic}; one may appear twice. */
    public List<String> plainSubscribers(String topic) {
        List<Subscriber> matches = tree.match(topic);
        List<String> result = new ArrayList<>(matches.size());
        for (Subscriber s : matches) {
            if (!s.options().shared()) {
                result.add(s.clientId());
            }
        }
        return result;
    }

    /** Whether a subscription of {@code clientId} (plain or in a share group) matches {@code topic}. */
    public boolean subscribes(String clientId, String topic) {
        for (Subscriber s : tree.match(topic)) {
            if (s.clientId().equals(clientId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code routing} with its heap-queue writes held back and returns them, in order, for the caller to run
     * once the store writes of the same routing are durable. A cluster inbox batch that fails is routed again: its
     * store writes are dropped with its unit, and so must its heap writes be, or clean sessions would get it twice.
     */
    public List<Runnable> holdingBackHeapWrites(Runnable routing) {
        List<Runnable> held = new ArrayList<>();
        heldBackHeapWrites.set(held);
        try {
            routing.run();
        } finally {
            heldBackHeapWrites.remove();
        }
        return held;
    }

    private void heapWrite(Runnable write) {
        List<Runnable> held = heldBackHeapWrites.get();
        if (held == null) {
            write.run();
        } else {
            held.add(write);
        }
    }

    /** Set once at wiring, before any message. */
    public void cluster(ClusterLink link) {
        this.cluster = link;
        if (link.active()) {
            shared.handOff((groupKey, entry) -> link.passShare(groupKey, propertiesCodec.toPublish(
                    new io.volantmq.persistence.QueuedMessage(0, entry.message(), entry.message().qos(), false,
                            List.of(), 0, null), entry.message().qos(), 0, false, entry.message().retain(),
                    System.currentTimeMillis())));
        }
    }

    /**
     * {@code only}: the clients that may get it (null: all); {@code setAside}: those whose plain subscriptions are
     * left out (the cluster delivers to them itself, see {@link ClusterLink#routeLocally}; null or empty: none).
     */
    private Outcome route(String originClientId, Publish publish, boolean refuseUnretained, SharePlacement shares,
                          java.util.function.Predicate<String> only, java.util.Set<String> setAside,
                          boolean updateRetained, Executor storeWork) {
        PublishTap t = tap; // a live trace sees what is published here and what other nodes forward
        if (t != null) {
            t.published(originClientId, publish);
        }
        long now = System.currentTimeMillis();
        StoredMessage stored = null;
        if (publish.retain() && shares.plain() && updateRetained) {
            stored = propertiesCodec.toStored(publish, now);
            if (!retained.update(stored)) {
                metrics.limitRefused(BrokerMetrics.Limit.RETAINED);
                log.warn("retained message of client {} on {} not stored: {} retained messages, {} bytes held, the"
                        + " limit is reached (volantmq.maxRetainedMessages / maxRetainedBytes){}", originClientId,
                        Topics.abbreviate(publish.topic()), retained.counted(), retained.bytes(),
                        refuseUnretained ? "; refused" : "");
                if (refuseUnretained) {
                    return Outcome.RETAIN_REFUSED;
                }
            }
        }
        List<Subscriber> matches = tree.match(publish.topic());
        if (matches.isEmpty()) {
            shares.assignedHere().forEach(shares::unserved);
            noSubscribers.increment();
            return Outcome.NO_SUBSCRIBERS;
        }
        routed.increment();
        DirectVariants direct = new DirectVariants(publish, propertiesCodec);
        try {
            return route(originClientId, publish, matches, stored, now, direct, shares, only, setAside, storeWork);
        } finally {
            direct.release();
        }
    }

    private Outcome route(String originClientId, Publish publish, List<Subscriber> matches, StoredMessage stored,
                          long now, DirectVariants direct, SharePlacement shares,
                          java.util.function.Predicate<String> only, java.util.Set<String> setAside,
                          Executor storeWork) {
        boolean congested = false;
        List<QueueTarget> targets = new ArrayList<>();
        List<Recipient> toNotify = new ArrayList<>();
        List<QueueTarget> inMemory = null; // queues of sessions that end with their connection: no store, no lane
        List<Recipient> inMemoryToNotify = null;
        for (Delivery d : deliveries(matches, originClientId, shares)) {
            if (only != null && !only.test(d.clientId)
                    || setAside != null && !d.shared && setAside.contains(d.clientId)) {
                continue;
            }
            Recipient recipient = directory.find(d.clientId);
            if (recipient == null) {
                continue;
            }
            // a session restored from the store has no identity until its client returns: the
            // receive check is then made when the message is delivered (Session)
            if (recipient.identity() != null && !acl.mayReceive(recipient.identity(), publish.topic())) {
                continue;
            }
            Publish out = publish;
            if (deliveryHook != null && recipient.identity() != null) {
                out = deliveryHook.beforeDelivery(recipient.identity(), publish); // plugins: per subscriber
                if (out == null) {
                    continue;
                }
            }
            int qos = Math.min(out.qos(), d.qos);
            // [MQTT-3.3.1-9] forwarded to an established subscription: retain 0, unless retain as published (5.0)
            boolean retain = d.retainAsPublished && out.retain();
            boolean online = recipient.online();
            if (qos == 0 && online) {
                if (out == publish) { // subscribers of one variant share its bytes
                    recipient.sendDirect(direct.get(retain, d.subscriptionIds));
                } else { // changed by a plugin for this subscriber only
                    SharedPublish own = new SharedPublish(propertiesCodec.forDelivery(out, retain, d.subscriptionIds));
                    try {
                        recipient.sendDirect(own);
                    } finally {
                        own.release();
                    }
                }
                continue;
            }
            if (!online && (!recipient.persistent() || (qos == 0 && !offlineQos0))) {
                continue;
            }
            MessageStore queue = queues.of(recipient);
            QueueLimits.Admission admission = limits.admit(d.clientId, queue, out.payload().length);
            if (admission == QueueLimits.Admission.REJECT) {
                if (deliveryHook != null) {
                    deliveryHook.dropped(d.clientId, out.topic(), "queue full");
                }
                continue;
            }
            congested |= online && admission == QueueLimits.Admission.ADMIT_CONGESTED;
            if (out != publish) { // changed for this subscriber only: stored on its own
                StoredMessage own = propertiesCodec.toStored(out, now);
                List<QueueTarget> target = List.of(new QueueTarget(d.clientId, qos, retain, d.subscriptionIds));
                if (queue != messages) {
                    heapWrite(() -> {
                        queue.enqueue(own, target); // on the heap: visible on return, the subscriber may read it now
                        recipient.notifyQueued();
                    });
                    continue;
                }
                storeWork.execute(() -> {
                    messages.enqueue(own, target);
                    messages.whenVisible(recipient::notifyQueued);
                });
                continue;
            }
            if (queue != messages) {
                if (inMemory == null) {
                    inMemory = new ArrayList<>();
                    inMemoryToNotify = new ArrayList<>();
                }
                inMemory.add(new QueueTarget(d.clientId, qos, retain, d.subscriptionIds));
                inMemoryToNotify.add(recipient);
                continue;
            }
            targets.add(new QueueTarget(d.clientId, qos, retain, d.subscriptionIds));
            toNotify.add(recipient);
        }
        if (stored == null && (inMemory != null || !targets.isEmpty())) {
            stored = propertiesCodec.toStored(publish, now);
        }
        if (inMemory != null) {
            StoredMessage message = stored;
            List<QueueTarget> heapTargets = inMemory;
            List<Recipient> heapToNotify = inMemoryToNotify;
            heapWrite(() -> {
                queues.memory().enqueue(message, heapTargets);
                heapToNotify.forEach(Recipient::notifyQueued);
            });
        }
        if (!targets.isEmpty()) {
            StoredMessage once = stored;
            storeWork.execute(() -> {
                messages.enqueue(once, targets);
                // once the append is visible (after its unit's flush): the subscriber's loop reads it from the queue
                messages.whenVisible(() -> toNotify.forEach(Recipient::notifyQueued));
            });
        }
        return congested ? Outcome.CONGESTED : Outcome.ROUTED;
    }

    /**
     * One delivery per client at the highest QoS of its matching subscriptions (or one per
     * subscription when overlapping is allowed), plus one per share group.
     */
    private List<Delivery> deliveries(List<Subscriber> matches, String originClientId, SharePlacement shares) {
        List<Delivery> result = new ArrayList<>(matches.size());
        Map<String, Delivery> byClient = new LinkedHashMap<>();
        Map<String, List<Subscriber>> groups = null;
        for (Subscriber s : matches) {
            if (s.options().shared()) {
                if (groups == null) {
                    groups = new LinkedHashMap<>();
                }
                String groupKey = SharedSubscriptions.key(s);
                groups.computeIfAbsent(groupKey, k -> new ArrayList<>()).add(s);
                continue;
            }
            if (!shares.plain()) {
                continue; // a copy for share groups only
            }
            if (s.options().noLocal() && s.clientId().equals(originClientId)) {
                continue; // MQTT 5 no local [MQTT-3.8.3-3]
            }
            if (overlapping) {
                result.add(delivery(s));
            } else {
                byClient.merge(s.clientId(), delivery(s), Router::combine);
            }
        }
        result.addAll(byClient.values());
        Set<String> served = new HashSet<>();
        if (groups != null) {
            groups.forEach((group, members) -> {
                if (!shares.servedHere(group)) {
                    return; // another node serves this group for this message
                }
                Subscriber chosen = shared.choose(group, members, null);
                if (chosen != null) {
                    served.add(group);
                    result.add(delivery(chosen));
                }
            });
        }
        for (String group : shares.assignedHere()) {
            if (!served.contains(group)) {
                shares.unserved(group);
            }
        }
        return result;
    }

    private static Delivery delivery(Subscriber s) {
        SubscriptionOptions o = s.options();
        return new Delivery(s.clientId(), o.qos(), o.retainAsPublished(), o.noLocal(),
                o.subscriptionId() == 0 ? List.of() : List.of(o.subscriptionId()), o.shared());
    }

    private static Delivery combine(Delivery a, Delivery b) {
        List<Integer> ids = new ArrayList<>(a.subscriptionIds);
        ids.addAll(b.subscriptionIds);
        return new Delivery(a.clientId, Math.max(a.qos, b.qos), a.retainAsPublished || b.retainAsPublished,
                a.noLocal && b.noLocal, ids, false); // plain ones only: a share group's delivery is never merged
    }

    /** Installs the trace tap, or removes it with null. */
    public void tap(PublishTap tap) {
        this.tap = tap;
    }

    /** The trace tap, or null while no trace runs. */
    public PublishTap tap() {
        return tap;
    }

    public long routedCount() {
        return routed.sum();
    }

    public long noSubscriberCount() {
        return noSubscribers.sum();
    }

    /** Shared subscriptions: choosing a member, handing a leaving member's messages to the others. */
    public SharedSubscriptions shared() {
        return shared;
    }

    public QueueLimits limits() {
        return limits;
    }

    /** Where each session's queue lives (the admin API's and $SYS's queue figures read it there). */
    public SessionQueues queues() {
        return queues;
    }
}
