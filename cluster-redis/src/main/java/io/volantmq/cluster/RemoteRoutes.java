package io.volantmq.cluster;

import io.volantmq.broker.routing.Subscriber;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.broker.routing.SubscriptionTree;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Every other node's topic filters, in memory: a subscription tree whose "clients" are node names,
 * so a topic is matched against the whole cluster in one walk. Fed by the route channel and
 * resynchronised from Redis every few seconds (a lost channel message heals there).
 */
final class RemoteRoutes {
    private static final SubscriptionOptions NODE = SubscriptionOptions.of("#", true, 2, false, false, 0);

    private final SubscriptionTree tree = new SubscriptionTree();
    private final Map<String, Set<String>> byNode = new HashMap<>();

    synchronized void add(String node, String filter) {
        if (byNode.computeIfAbsent(node, n -> new HashSet<>()).add(filter)) {
            tree.subscribe(node, filter, NODE);
        }
    }

    synchronized void remove(String node, String filter) {
        Set<String> filters = byNode.get(node);
        if (filters != null && filters.remove(filter)) {
            tree.unsubscribe(node, filter, NODE);
        }
    }

    synchronized void removeNode(String node) {
        Set<String> filters = byNode.remove(node);
        if (filters != null) {
            filters.forEach(f -> tree.unsubscribe(node, f, NODE));
        }
    }

    /** Makes {@code node}'s filters exactly {@code filters}. */
    synchronized void replace(String node, Set<String> filters) {
        Set<String> current = new HashSet<>(byNode.getOrDefault(node, Set.of()));
        for (String f : current) {
            if (!filters.contains(f)) {
                remove(node, f);
            }
        }
        for (String f : filters) {
            add(node, f);
        }
    }

    synchronized Set<String> nodes() {
        return new HashSet<>(byNode.keySet());
    }

    synchronized int size() {
        return byNode.values().stream().mapToInt(Set::size).sum();
    }

    /** The nodes with a filter matching {@code topic}. */
    Set<String> match(String topic) {
        Set<String> nodes = new LinkedHashSet<>();
        for (Subscriber s : tree.match(topic)) {
            nodes.add(s.clientId());
        }
        return nodes;
    }
}
