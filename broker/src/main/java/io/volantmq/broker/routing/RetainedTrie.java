package io.volantmq.broker.routing;

import io.volantmq.persistence.StoredMessage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Retained messages by topic in a trie, one level per node, so a wildcard filter visits only the part of
 * the tree it can match (a scan of every retained message would let any client make each SUBSCRIBE cost
 * the whole index).
 *
 * <p>Concurrency: reads take no lock. A node's message is swapped atomically, so replacing the message of
 * a topic that has one (the usual retained publish) takes no lock either; giving a topic its first
 * message, taking one away and pruning emptied nodes serialize on this trie's monitor. A node without a
 * message is only ever given one under that monitor, so pruning it cannot lose a concurrent replace.
 *
 * <p>Memory: a node holds its level, its message and its children, which are null, the one child node
 * itself, or a concurrent map once there are two (most nodes of a deep topic tree have one child or none);
 * its level string is interned, as levels repeat across topics.
 */
final class RetainedTrie {
    private static final VarHandle MESSAGE;

    static {
        try {
            MESSAGE = MethodHandles.lookup().findVarHandle(Node.class, "message", StoredMessage.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Node root = new Node("");
    /** Topics with a message; written under the monitor. */
    private volatile int size;

    private static final class Node {
        final String level;
        /** Swapped through {@link #MESSAGE}; null for a node that is only a path to others. */
        volatile StoredMessage message;
        /** null, a {@link Node} (the only child) or a {@code ConcurrentHashMap<String, Node>}; set under the monitor. */
        volatile Object children;

        Node(String level) {
            this.level = level;
        }

        Node child(String key) {
            Object c = children;
            if (c instanceof Node only) {
                return only.level.equals(key) ? only : null;
            }
            if (c != null) {
                return map(c).get(key);
            }
            return null;
        }

        /** Pushes every child (the first level under the root only if it does not start with '$', when asked). */
        void pushChildren(Deque<Node> stack, boolean skipDollar) {
            Object c = children;
            if (c instanceof Node only) {
                if (!(skipDollar && only.level.startsWith("$"))) {
                    stack.push(only);
                }
            } else if (c != null) {
                for (Node n : map(c).values()) {
                    if (!(skipDollar && n.level.startsWith("$"))) {
                        stack.push(n);
                    }
                }
            }
        }

        @SuppressWarnings("unchecked")
        static Map<String, Node> map(Object children) {
            return (Map<String, Node>) children;
        }
    }

    /** The message retained on exactly {@code topic}, or null. */
    StoredMessage get(String topic) {
        Node node = find(topic);
        return node == null ? null : node.message;
    }

    /** Retains {@code message} on its topic; returns the message it replaced, or null. */
    StoredMessage put(StoredMessage message) {
        Node node = find(message.topic());
        if (node != null) {
            // lock-free replace while the topic has a message; a node without one may be pruned at any time
            StoredMessage current = node.message;
            while (current != null) {
                StoredMessage witness = (StoredMessage) MESSAGE.compareAndExchange(node, current, message);
                if (witness == current) {
                    return current;
                }
                current = witness;
            }
        }
        synchronized (this) {
            node = root;
            for (String level : SubscriptionTree.levels(message.topic())) {
                node = childOrAdd(node, level);
            }
            StoredMessage previous = (StoredMessage) MESSAGE.getAndSet(node, message);
            if (previous == null) {
                size++;
            }
            return previous;
        }
    }

    /**
     * Takes away the message of {@code topic} if it is {@code expected} (any message for null) and prunes
     * the nodes left empty; returns what was taken away, or null.
     */
    synchronized StoredMessage remove(String topic, StoredMessage expected) {
        String[] levels = SubscriptionTree.levels(topic);
        Node[] path = new Node[levels.length + 1];
        path[0] = root;
        for (int i = 0; i < levels.length; i++) {
            path[i + 1] = path[i].child(levels[i]);
            if (path[i + 1] == null) {
                return null;
            }
        }
        Node node = path[levels.length];
        StoredMessage removed;
        if (expected == null) {
            removed = (StoredMessage) MESSAGE.getAndSet(node, (StoredMessage) null);
        } else {
            removed = MESSAGE.compareAndSet(node, expected, (StoredMessage) null) ? expected : null;
        }
        if (removed == null) {
            return null;
        }
        size--;
        for (int i = levels.length; i > 0 && path[i].message == null && path[i].children == null; i--) {
            removeChild(path[i - 1], path[i]);
        }
        return removed;
    }

    private static Node childOrAdd(Node parent, String level) {
        Node existing = parent.child(level);
        if (existing != null) {
            return existing;
        }
        // levels repeat across topics ("temp" under every device, device numbers under every site): one
        // canonical copy instead of one per node (the JVM's string table drops it with the last node using it)
        Node added = new Node(level.intern());
        Object c = parent.children;
        if (c == null) {
            parent.children = added;
        } else if (c instanceof Node only) {
            Map<String, Node> map = new ConcurrentHashMap<>(4);
            map.put(only.level, only);
            map.put(added.level, added);
            parent.children = map; // readers see the single child or the full map, never a partial one
        } else {
            Node.map(c).put(added.level, added);
        }
        return added;
    }

    private static void removeChild(Node parent, Node child) {
        Object c = parent.children;
        if (c == child) {
            parent.children = null;
        } else if (c != null && !(c instanceof Node)) {
            Map<String, Node> map = Node.map(c);
            map.remove(child.level, child);
            if (map.size() == 1) {
                parent.children = map.values().iterator().next(); // back to the compact form
            }
        }
    }

    private Node find(String topic) {
        Node node = root;
        int from = 0;
        while (node != null) {
            int slash = topic.indexOf('/', from);
            int end = slash < 0 ? topic.length() : slash;
            node = node.child(topic.substring(from, end));
            if (slash < 0) {
                return node;
            }
            from = slash + 1;
        }
        return null;
    }

    /**
     * Messages whose topic matches {@code filter}, with the rules of {@link TopicMatcher}: '+' one level,
     * '#' the level above it and everything below, neither at the first level of a '$' topic [MQTT-4.7.2-1].
     */
    List<StoredMessage> match(String filter) {
        List<StoredMessage> result = new ArrayList<>();
        if (filter.indexOf('+') < 0 && filter.indexOf('#') < 0) {
            StoredMessage exact = get(filter);
            if (exact != null) {
                result.add(exact);
            }
            return result;
        }
        String[] levels = SubscriptionTree.levels(filter);
        // an explicit stack, not recursion: a client decides how deep topics and filters go
        Deque<Node> nodes = new ArrayDeque<>();
        Deque<Integer> depths = new ArrayDeque<>();
        nodes.push(root);
        depths.push(0);
        while (!nodes.isEmpty()) {
            Node node = nodes.pop();
            int depth = depths.pop();
            if (depth == levels.length) {
                addMessage(node, result);
                continue;
            }
            String level = levels[depth];
            if (level.equals("#")) {
                if (depth > 0) {
                    addMessage(node, result); // "a/#" matches "a"
                }
                subtree(node, depth == 0, result);
            } else if (level.equals("+")) {
                int before = nodes.size();
                node.pushChildren(nodes, depth == 0);
                for (int i = nodes.size(); i > before; i--) {
                    depths.push(depth + 1);
                }
            } else {
                Node next = node.child(level);
                if (next != null) {
                    nodes.push(next);
                    depths.push(depth + 1);
                }
            }
        }
        return result;
    }

    private static void addMessage(Node node, List<StoredMessage> result) {
        StoredMessage m = node.message;
        if (m != null) {
            result.add(m);
        }
    }

    /** Every message below {@code top} ('$' first levels skipped under the root). */
    private static void subtree(Node top, boolean fromRoot, List<StoredMessage> result) {
        Deque<Node> pending = new ArrayDeque<>();
        top.pushChildren(pending, fromRoot);
        while (!pending.isEmpty()) {
            Node node = pending.pop();
            addMessage(node, result);
            node.pushChildren(pending, false);
        }
    }

    /** Every message, in no particular order. */
    List<StoredMessage> all() {
        List<StoredMessage> result = new ArrayList<>();
        subtree(root, false, result);
        return result;
    }

    int size() {
        return size;
    }

    /** Nodes below the root (pruning keeps this to the paths of retained topics). */
    int nodes() {
        int count = 0;
        Deque<Node> pending = new ArrayDeque<>();
        root.pushChildren(pending, false);
        while (!pending.isEmpty()) {
            count++;
            pending.pop().pushChildren(pending, false);
        }
        return count;
    }
}
