package io.volantmq.broker.routing;

import io.volantmq.broker.cluster.ClusterLink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Topic filters in a trie, one level per node. Matching reads concurrent maps and takes no lock, so
 * every event loop matches in parallel; subscribe and unsubscribe serialize on the tree's monitor
 * (they are rare next to publishes) so pruning cannot race with an insert. A shared subscription
 * {@code $share/g/f} is indexed under {@code f}, keyed by its group, so a client may hold both.
 */
public final class SubscriptionTree {
    private final Node root = new Node(null, null);
    /** The round-robin positions of the share groups, kept in step with members under this monitor. */
    final SharedSubscriptions.Cursors cursors = new SharedSubscriptions.Cursors();
    /** Told when a filter gains its first local subscriber or loses its last (cluster route table). */
    private ClusterLink cluster = ClusterLink.NONE;
    private static final class Node {
        final Node parent;
        final String level;
        /**
         * Made with the first child: most nodes are leaves (a client's own topic), and an empty map costs
         * 64 bytes. Written under the tree's monitor, read without it; never set back to null.
         */
        private volatile Map<String, Node> children;
        /**
         * The subscriptions to exactly this filter: null for none, the {@link Subscriber} itself for one (most
         * filters, a client's own topic: a map for one costs ~130 bytes), else a map of key (client id, or
         * group/client id) -> subscriber. Written under the tree's monitor, read without it: a new value is
         * complete before it is published, and a map, once made, stays.
         */
        private volatile Object subscribers;
        /** How many of them are not shared; changed under the tree's monitor (the cluster's plain route). */
        int plain;

        Node(Node parent, String level) {
            this.parent = parent;
            this.level = level;
        }

        Node child(String childLevel) {
            Map<String, Node> c = children;
            return c == null ? null : c.get(childLevel);
        }

        /** Under the tree's monitor. */
        Node childOrNew(String childLevel) {
            Map<String, Node> c = children;
            if (c == null) {
                c = new ConcurrentHashMap<>(2);
                children = c;
            }
            return c.computeIfAbsent(childLevel, l -> new Node(this, l));
        }

        /** Under the tree's monitor; the subscriber {@code key} had before, or null. */
        Subscriber putSubscriber(String key, Subscriber subscriber) {
            Object current = subscribers;
            if (current instanceof Subscriber one) {
                if (key(one.clientId(), one.options()).equals(key)) {
                    subscribers = subscriber;
                    return one;
                }
                Map<String, Subscriber> map = new ConcurrentHashMap<>(4);
                map.put(key(one.clientId(), one.options()), one);
                map.put(key, subscriber);
                subscribers = map;
                return null;
            }
            if (current != null) {
                return asMap(current).put(key, subscriber);
            }
            subscribers = subscriber;
            return null;
        }

        /** Under the tree's monitor; the subscriber removed, or null. */
        Subscriber removeSubscriber(String key) {
            Object current = subscribers;
            if (current instanceof Subscriber one) {
                if (!key(one.clientId(), one.options()).equals(key)) {
                    return null;
                }
                subscribers = null;
                return one;
            }
            return current == null ? null : asMap(current).remove(key);
        }

        boolean hasSubscribers() {
            Object current = subscribers;
            return current instanceof Subscriber || current != null && !asMap(current).isEmpty();
        }

        /** The subscribers now (weakly consistent with concurrent changes, like the map). */
        Collection<Subscriber> subscribers() {
            Object current = subscribers;
            if (current instanceof Subscriber one) {
                return List.of(one);
            }
            return current == null ? List.of() : asMap(current).values();
        }

        void addSubscribersTo(Collection<Subscriber> out) {
            Object current = subscribers;
            if (current instanceof Subscriber one) {
                out.add(one);
            } else if (current != null) {
                out.addAll(asMap(current).values());
            }
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Subscriber> asMap(Object subscribers) {
            return (Map<String, Subscriber>) subscribers;
        }

        boolean hasChildren() {
            Map<String, Node> c = children;
            return c != null && !c.isEmpty();
        }

        Collection<Node> children() {
            Map<String, Node> c = children;
            return c == null ? List.of() : c.values();
        }
    }

    private static String indexed(String filter, SubscriptionOptions options) {
        return options.shared() ? SharedSubscriptions.filter(filter) : filter;
    }

    private static String key(String clientId, SubscriptionOptions options) {
        return options.shared() ? options.shareGroup() + "/" + clientId : clientId;
    }

    /** Adds or replaces the subscription of {@code clientId} to {@code filter}; true if it existed before. */
    public synchronized boolean subscribe(String clientId, String filter, SubscriptionOptions options) {
        Node node = root;
        for (String level : levels(indexed(filter, options))) {
            node = node.childOrNew(level);
        }
        if (options.shared() && cursors.joined(options.shareGroup(), SharedSubscriptions.filter(filter))) {
            cluster.shareAdded(SharedSubscriptions.key(options.shareGroup(), SharedSubscriptions.filter(filter)));
        }
        Subscriber previous = node.putSubscriber(key(clientId, options), new Subscriber(clientId, filter, options));
        boolean wasPlain = previous != null && !previous.options().shared();
        // other nodes forward to this one for a plain subscriber; share groups have routes of their own
        if (!options.shared() && !wasPlain && node.plain++ == 0) {
            cluster.routeAdded(indexed(filter, options));
        } else if (options.shared() && wasPlain && --node.plain == 0) {
            cluster.routeRemoved(indexed(filter, options));
        }
        return previous != null;
    }

    /** Set once at wiring, before any subscription. */
    public synchronized void cluster(ClusterLink link) {
        this.cluster = link;
    }

    /** Removes the subscription made with {@code options}; true if it existed. */
    public synchronized boolean unsubscribe(String clientId, String filter, SubscriptionOptions options) {
        if (options == null) {
            return false;
        }
        Node node = find(indexed(filter, options));
        if (node == null) {
            return false;
        }
        Subscriber gone = node.removeSubscriber(key(clientId, options));
        boolean removed = gone != null;
        if (removed && !gone.options().shared() && --node.plain == 0) {
            cluster.routeRemoved(indexed(filter, options));
        }
        if (removed && gone.options().shared() && !hasGroupMember(node, gone.options().shareGroup())) {
            cursors.left(gone.options().shareGroup(), SharedSubscriptions.filter(filter));
            cluster.shareRemoved(SharedSubscriptions.key(gone.options().shareGroup(), SharedSubscriptions.filter(filter)));
        }
        prune(node);
        return removed;
    }

    private static boolean hasGroupMember(Node node, String group) {
        for (Subscriber s : node.subscribers()) {
            if (group.equals(s.options().shareGroup())) {
                return true;
            }
        }
        return false;
    }

    /** The members of share group {@code group} on topic filter {@code filter} (without the prefix). */
    public List<Subscriber> sharedMembers(String group, String filter) {
        Node node = find(filter);
        List<Subscriber> members = new ArrayList<>();
        if (node != null) {
            for (Subscriber s : node.subscribers()) {
                if (group.equals(s.options().shareGroup())) {
                    members.add(s);
                }
            }
        }
        return members;
    }

    private Node find(String filter) {
        Node node = root;
        for (String level : levels(filter)) {
            node = node.child(level);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    private void prune(Node node) {
        while (node.parent != null && !node.hasSubscribers() && !node.hasChildren()) {
            node.parent.children.remove(node.level, node); // a parent has children
            node = node.parent;
        }
    }

    /** Every subscription matching a topic name, in no particular order; one entry per (client, filter). */
    public List<Subscriber> match(String topic) {
        List<Subscriber> result = new ArrayList<>();
        String[] levels = levels(topic);
        // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with $
        boolean systemTopic = topic.startsWith("$");
        // an explicit stack, not recursion: a client decides how deep a topic goes, and a call per level
        // would let it overflow the thread's stack (one node per level of each path that still matches)
        Deque<Node> nodes = new ArrayDeque<>();
        Deque<Integer> depths = new ArrayDeque<>();
        nodes.push(root);
        depths.push(0);
        while (!nodes.isEmpty()) {
            Node node = nodes.pop();
            int depth = depths.pop();
            boolean wildcardAllowed = !(systemTopic && depth == 0);
            if (wildcardAllowed) {
                // '#' matches this level and everything below, including the parent level itself [MQTT-4.7.1-2]
                Node multi = node.child("#");
                if (multi != null) {
                    multi.addSubscribersTo(result);
                }
            }
            if (depth == levels.length) {
                node.addSubscribersTo(result);
                continue;
            }
            Node exact = node.child(levels[depth]);
            if (exact != null) {
                nodes.push(exact);
                depths.push(depth + 1);
            }
            if (wildcardAllowed) {
                Node single = node.child("+");
                if (single != null) {
                    nodes.push(single);
                    depths.push(depth + 1);
                }
            }
        }
        return result;
    }

    /**
     * Visits every subscription, shared ones included ($SYS counts, the admin API). Reads like
     * {@link #match}: no lock, weakly consistent with concurrent changes. Iterative, so deep filters
     * cannot overflow the stack.
     */
    public void forEach(Consumer<Subscriber> visitor) {
        Deque<Node> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            Node node = pending.pop();
            node.subscribers().forEach(visitor);
            node.children().forEach(pending::push);
        }
    }

    /** Topic levels; "a//b" has an empty middle level and "/a" an empty first one [MQTT-4.7.1-1]. */
    static String[] levels(String topic) {
        return topic.split("/", -1);
    }
}
