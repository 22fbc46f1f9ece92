package io.volantmq.broker.routing;

import io.volantmq.broker.protocol.Topics;
import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * MQTT 5 shared subscriptions ({@code $share/{group}/{filter}}, spec 4.8.2) in one place: the parts of
 * such a filter, the round-robin position of each group (kept in step with its members by the
 * {@link SubscriptionTree}), picking the one member a message goes to, and handing the messages of a
 * member that leaves (or stops acknowledging) to the others.
 * <p>Whether a filter is well formed ({@code Topics.isValidFilter}, [MQTT-4.8.2-1/2]) stays with the
 * rest of the filter syntax in protocol: the auth package judges {@code $share} filters too, and it
 * sits below routing.
 */
public final class SharedSubscriptions {
    private final SubscriptionTree tree;
    private final Cursors cursors;
    private final RecipientDirectory directory;
    private final SessionQueues queues;
    private final QueueLimits limits;
    /** Other nodes' members (cluster): a leaving member's messages go there when no member here is online. */
    private volatile HandOff handOff;

    /** Hands a queued message of share group {@code groupKey} to another node; false when it cannot. */
    @FunctionalInterface
    interface HandOff {
        boolean pass(String groupKey, QueuedMessage entry);
    }

    SharedSubscriptions(SubscriptionTree tree, RecipientDirectory directory, SessionQueues queues, QueueLimits limits) {
        this.tree = tree;
        this.cursors = tree.cursors;
        this.directory = directory;
        this.queues = queues;
        this.limits = limits;
    }

    /** The group of a valid shared filter: {@code g} of {@code $share/g/a/b}. */
    public static String group(String sharedFilter) {
        return sharedFilter.substring(Topics.SHARE_PREFIX.length(), sharedFilter.indexOf('/', Topics.SHARE_PREFIX.length()));
    }

    /** The topic filter of a valid shared filter: {@code a/b} of {@code $share/g/a/b}. */
    public static String filter(String sharedFilter) {
        return sharedFilter.substring(sharedFilter.indexOf('/', Topics.SHARE_PREFIX.length()) + 1);
    }

    /** The key of share group {@code group} on topic filter {@code filter} (without the prefix). */
    public static String key(String group, String filter) {
        return group + "/" + filter; // unambiguous: a group name holds no '/'
    }

    /** The key of the share group of a shared subscription. */
    static String key(Subscriber s) {
        return key(s.options().shareGroup(), filter(s.filter()));
    }

    /**
     * The filter the topic tree indexes and counts levels of: {@code a/b} of {@code $share/g/a/b} for an
     * MQTT 5 client; for 3.x {@code $share} is a plain level.
     */
    public static String indexedFilter(String filter, boolean v5) {
        return v5 && Topics.isShared(filter) ? filter(filter) : filter;
    }

    /** The shared ones among a session's subscriptions (filter -> options), in their order. */
    public static Map<String, SubscriptionOptions> sharedOf(Map<String, SubscriptionOptions> subscriptions) {
        Map<String, SubscriptionOptions> shared = new LinkedHashMap<>();
        subscriptions.forEach((filter, options) -> {
            if (options.shared()) {
                shared.put(filter, options);
            }
        });
        return shared;
    }

    /** Round robin over the members, preferring online ones; an offline persistent member queues it. */
    Subscriber choose(String groupKey, List<Subscriber> members, String excludedClientId) {
        if (members.isEmpty()) {
            return null;
        }
        AtomicInteger cursor = cursors.get(groupKey);
        int start = cursor == null ? 0 : Math.floorMod(cursor.getAndIncrement(), members.size());
        Subscriber offlineFallback = null;
        for (int i = 0; i < members.size(); i++) {
            Subscriber s = members.get((start + i) % members.size());
            if (s.clientId().equals(excludedClientId)) {
                continue;
            }
            Recipient r = directory.find(s.clientId());
            if (r == null) {
                continue;
            }
            if (r.online()) {
                return s;
            }
            if (offlineFallback == null && r.persistent()) {
                offlineFallback = s;
            }
        }
        return offlineFallback;
    }

    /**
     * A member of share groups is leaving: its queued and unacknowledged messages that came through
     * {@code shared} subscriptions move to other members, so nothing waits for a client that is gone.
     * QoS 2 messages already released (PUBREL sent) stay: the client has them.
     */
    public void redistribute(String clientId, Map<String, SubscriptionOptions> shared) {
        redistribute(clientId, shared, null);
    }

    /** As above, limited to the entries {@code onlySeqs} (null: all); returns the seqs that moved. */
    public Set<Long> redistribute(String clientId, Map<String, SubscriptionOptions> shared, Set<Long> onlySeqs) {
        Set<Long> moved = new HashSet<>();
        if (shared.isEmpty()) {
            return moved;
        }
        MessageStore messages = queues.of(clientId); // the leaving member's queue, wherever it lives
        long after = 0;
        while (true) {
            List<QueuedMessage> batch = messages.read(clientId, after, 256);
            if (batch.isEmpty()) {
                return moved;
            }
            for (QueuedMessage entry : batch) {
                after = entry.seq();
                if (entry.state() == InflightState.RELEASED || (onlySeqs != null && !onlySeqs.contains(entry.seq()))) {
                    continue;
                }
                for (Map.Entry<String, SubscriptionOptions> sub : shared.entrySet()) {
                    String filter = filter(sub.getKey());
                    if (!TopicMatcher.matches(filter, entry.message().topic())) {
                        continue;
                    }
                    String group = sub.getValue().shareGroup();
                    Subscriber other = choose(key(group, filter), tree.sharedMembers(group, filter),
                            clientId);
                    Recipient local = other == null ? null : directory.find(other.clientId());
                    HandOff cluster = handOff;
                    // an online member on another node before an offline one here (or none here at all)
                    if ((local == null || !local.online()) && cluster != null
                            && cluster.pass(key(group, filter), entry)) {
                        messages.remove(clientId, entry.seq());
                        moved.add(entry.seq());
                    } else if (other != null) {
                        Recipient r = directory.find(other.clientId());
                        MessageStore target = queues.of(r);
                        target.enqueue(entry.message(), List.of(new QueueTarget(other.clientId(),
                                Math.min(entry.qos(), other.options().qos()), entry.retain(), entry.subscriptionIds())));
                        limits.invalidate(other.clientId());
                        messages.remove(clientId, entry.seq());
                        moved.add(entry.seq());
                        target.whenVisible(r::notifyQueued);
                    }
                    break;
                }
            }
        }
    }

    /** Set once at wiring (cluster mode), before any message is routed. */
    void handOff(HandOff handOff) {
        this.handOff = handOff;
    }

    /** Share groups whose round-robin position is held: those with members (tests, a gauge). */
    public int groupCount() {
        return cursors.size();
    }

    /**
     * Round-robin position of each share group, by {@link #key}. Entries are made and removed only
     * under the tree's monitor, when a group gains its first member and loses its last, so the map
     * holds exactly the groups that have members (a client cycling through group names leaves nothing).
     */
    static final class Cursors {
        private final Map<String, AtomicInteger> shareCursors = new ConcurrentHashMap<>();

        /**
         * A member joined group {@code group} on {@code filter} (without the prefix); under the tree's
         * monitor. True when it is the group's first.
         */
        boolean joined(String group, String filter) {
            return shareCursors.putIfAbsent(key(group, filter), new AtomicInteger()) == null;
        }

        /** The last member of the group left; under the tree's monitor. */
        void left(String group, String filter) {
            shareCursors.remove(key(group, filter));
        }

        /**
         * The round-robin cursor of a share group, or null when the group has no members (any more): the
         * caller then starts at the first member. Never creates one, so routing cannot re-add a group
         * that its last member just left.
         */
        AtomicInteger get(String shareKey) {
            return shareCursors.get(shareKey);
        }

        int size() {
            return shareCursors.size();
        }
    }
}
