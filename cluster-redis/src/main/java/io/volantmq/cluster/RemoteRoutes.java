package io.volantmq.cluster;

import io.volantmq.broker.routing.SharedSubscriptions;
import io.volantmq.broker.routing.Subscriber;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.broker.routing.SubscriptionTree;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every other node's topic filters, in memory: a subscription tree whose "clients" are node names,
 * so a topic is matched against the whole cluster in one walk. Fed by the route channel and
 * resynchronised from Redis every few seconds (a lost channel message heals there).
 *
 * <p>Share groups ({@code group/filter}) are a second tree, with this node's own groups in it as
 * well: a publishing node picks among every node with members, itself included.
 */
final class RemoteRoutes {
    private static final SubscriptionOptions NODE = SubscriptionOptions.of("#", true, 2, false, false, 0);

    private final SubscriptionTree tree = new SubscriptionTree();
    private final Map<String, Set<String>> byNode = new HashMap<>();
    private final SubscriptionTree shareTree = new SubscriptionTree();
    private final Map<String, Set<String>> sharesByNode = new HashMap<>();

    /**
     * Channel changes applied while a resync reads Redis (null when none runs): applied again on top of what it read,
     * or the resync's older snapshot would undo one that came in meanwhile (a route lost until the next resync: a
     * moving subscriber's messages went nowhere for up to 5 s).
     */
    private List<Runnable> duringResync;

    /** A resync begins to read the route sets from Redis: channel changes from now on are kept (see above). */
    synchronized void beginResync() {
        duringResync = new ArrayList<>();
    }

    /**
     * The resync read {@code filters} and {@code groups} of every other live node: makes them the routes, drops nodes
     * not among them, then applies again the channel changes since {@link #beginResync}.
     */
    synchronized void endResync(Map<String, Set<String>> filters, Map<String, Set<String>> groups, String me) {
        List<Runnable> meanwhile = duringResync == null ? List.of() : duringResync;
        duringResync = null;
        filters.forEach(this::replace);
        groups.forEach(this::replaceShares);
        for (String node : nodes()) {
            if (!filters.containsKey(node) && !node.equals(me)) {
                removeNode(node);
            }
        }
        meanwhile.forEach(Runnable::run);
    }

    /** A resync failed: nothing of it is applied. */
    synchronized void abandonResync() {
        duringResync = null;
    }

    private void keep(Runnable change) {
        if (duringResync != null) {
            duringResync.add(change);
        }
    }

    synchronized void add(String node, String filter) {
        keep(() -> add(node, filter));
        if (byNode.computeIfAbsent(node, n -> new HashSet<>()).add(filter)) {
            tree.subscribe(node, filter, NODE);
        }
    }

    synchronized void remove(String node, String filter) {
        keep(() -> remove(node, filter));
        Set<String> filters = byNode.get(node);
        if (filters != null && filters.remove(filter)) {
            tree.unsubscribe(node, filter, NODE);
        }
    }

    synchronized void addShare(String node, String groupKey) {
        keep(() -> addShare(node, groupKey));
        if (sharesByNode.computeIfAbsent(node, n -> new HashSet<>()).add(groupKey)) {
            shareTree.subscribe(node, shareFilter(groupKey), shareOptions(groupKey));
        }
    }

    synchronized void removeShare(String node, String groupKey) {
        keep(() -> removeShare(node, groupKey));
        Set<String> groups = sharesByNode.get(node);
        if (groups != null && groups.remove(groupKey)) {
            shareTree.unsubscribe(node, shareFilter(groupKey), shareOptions(groupKey));
        }
    }

    private static String shareFilter(String groupKey) {
        return "$share/" + groupKey;
    }

    private static SubscriptionOptions shareOptions(String groupKey) {
        return SubscriptionOptions.of(shareFilter(groupKey), true, 2, false, false, 0);
    }

    synchronized void removeNode(String node) {
        keep(() -> removeNode(node));
        Set<String> filters = byNode.remove(node);
        if (filters != null) {
            filters.forEach(f -> tree.unsubscribe(node, f, NODE));
        }
        Set<String> groups = sharesByNode.remove(node);
        if (groups != null) {
            groups.forEach(g -> shareTree.unsubscribe(node, shareFilter(g), shareOptions(g)));
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

    /** Makes {@code node}'s share groups exactly {@code groups}. */
    synchronized void replaceShares(String node, Set<String> groups) {
        Set<String> current = new HashSet<>(sharesByNode.getOrDefault(node, Set.of()));
        for (String g : current) {
            if (!groups.contains(g)) {
                removeShare(node, g);
            }
        }
        for (String g : groups) {
            addShare(node, g);
        }
    }

    synchronized Set<String> nodes() {
        Set<String> nodes = new HashSet<>(byNode.keySet());
        nodes.addAll(sharesByNode.keySet());
        return nodes;
    }

    synchronized int size() {
        return byNode.values().stream().mapToInt(Set::size).sum();
    }

    synchronized int shareCount() {
        return sharesByNode.values().stream().mapToInt(Set::size).sum();
    }

    /** The nodes with a filter matching {@code topic}. */
    Set<String> match(String topic) {
        Set<String> nodes = new LinkedHashSet<>();
        for (Subscriber s : tree.match(topic)) {
            nodes.add(s.clientId());
        }
        return nodes;
    }

    /** The share groups matching {@code topic}, each with the nodes holding members (sorted: same order everywhere). */
    Map<String, Set<String>> matchShares(String topic) {
        Map<String, Set<String>> groups = new HashMap<>();
        for (Subscriber s : shareTree.match(topic)) {
            String key = SharedSubscriptions.key(s.options().shareGroup(), SharedSubscriptions.filter(s.filter()));
            groups.computeIfAbsent(key, k -> new TreeSet<>()).add(s.clientId());
        }
        return groups;
    }
}
