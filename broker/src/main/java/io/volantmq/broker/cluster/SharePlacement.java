package io.volantmq.broker.cluster;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which node serves each share group ({@code group/filter}, MQTT 5 4.8.2) that one message matches.
 * The node where the message was published decides once and the decision travels with the message,
 * so a group whose members sit on several nodes gets it once cluster-wide.
 *
 * <p>On the publishing node a group missing from the map is served here (single node: the map is
 * empty). On a receiving node ({@code strict}) only the groups mapped to {@code self} are served: one
 * it was not told about is served by whoever the publisher chose. The router notes the groups it was
 * to serve but had no member for ({@link #unserved}), so the cluster can place them on another node.
 */
public final class SharePlacement {
    /** Single node, or no share group anywhere: every local group is served here. */
    public static final SharePlacement LOCAL = new SharePlacement("", Map.of(), false, true);

    private final String self;
    private final Map<String, String> nodeByGroup;
    private final boolean strict;
    private final boolean plain;
    private Set<String> unserved;

    /**
     * @param plain false for a copy sent on for share groups only: the non-shared subscribers (and the
     *              retained index) of the node got the message already, or will, by its first copy
     */
    public SharePlacement(String self, Map<String, String> nodeByGroup, boolean strict, boolean plain) {
        this.self = self;
        this.nodeByGroup = nodeByGroup;
        this.strict = strict;
        this.plain = plain;
    }

    /** Whether non-shared subscribers get the message (false: a copy for share groups only). */
    public boolean plain() {
        return plain;
    }

    /** Whether the local router delivers the message to a member of {@code groupKey}. */
    public boolean servedHere(String groupKey) {
        String node = nodeByGroup.get(groupKey);
        return node == null ? !strict : node.equals(self);
    }

    /** Group key to node. */
    public Map<String, String> nodeByGroup() {
        return nodeByGroup;
    }

    /** The groups mapped to this node. */
    public Set<String> assignedHere() {
        Set<String> here = new HashSet<>();
        nodeByGroup.forEach((group, node) -> {
            if (node.equals(self)) {
                here.add(group);
            }
        });
        return here;
    }

    /** The router found no member for a group it was to serve (only recorded on a receiving node). */
    public void unserved(String groupKey) {
        if (!strict) {
            return; // LOCAL is shared by every thread; a publisher's own groups have members by definition
        }
        if (unserved == null) {
            unserved = new HashSet<>();
        }
        unserved.add(groupKey);
    }

    public Set<String> unserved() {
        return unserved == null ? Set.of() : unserved;
    }
}
