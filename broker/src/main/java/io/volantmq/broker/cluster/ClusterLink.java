package io.volantmq.broker.cluster;

import io.volantmq.broker.protocol.Publish;
import io.volantmq.persistence.StoredMessage;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the core asks of a cluster of broker nodes. The core never imports an implementation: one
 * is found by {@link ClusterLinks} when {@code volantmq.cluster} names it. {@link #NONE}, the
 * single-node default, answers every call at once and costs nothing.
 *
 * <p>Calls from the core are made on event loops and under the subscription tree's monitor: an
 * implementation must not block in {@link #routeAdded}/{@link #routeRemoved}. {@link #forward} may
 * block for one round trip to the shared state (as a store write does), and throws
 * {@link io.volantmq.persistence.PersistenceException} when the message could not be handed over,
 * so that the publisher is not acknowledged.
 */
public interface ClusterLink extends AutoCloseable {

    /** Single node. */
    ClusterLink NONE = new ClusterLink() {
    };

    default boolean active() {
        return false;
    }

    /** Called once the core is wired and before the listeners open. */
    default void start(ClusterHost host) {
    }

    /** The local subscription tree gained its first subscriber on {@code filter} (share prefix removed). */
    default void routeAdded(String filter) {
    }

    /** The local subscription tree lost its last subscriber on {@code filter}. */
    default void routeRemoved(String filter) {
    }

    /**
     * A message published on this node (by a client or a will) after it was routed locally: hands it
     * to the other nodes with matching subscribers. True when at least one other node matched.
     */
    default boolean forward(String originClientId, Publish publish) {
        return false;
    }

    /**
     * As {@link #forward(String, Publish)}, also to the nodes that {@code shares} chose for share groups;
     * the placement travels with the message.
     */
    default boolean forward(String originClientId, Publish publish, SharePlacement shares) {
        return forward(originClientId, publish);
    }

    /**
     * Runs {@code route}, the local part of a message on {@code topic} published on this node, and returns what the
     * cluster needs to know of that moment (which sessions arriving here it could not reach, which it left out), for
     * {@link #forward(String, Publish, SharePlacement, Object, java.util.function.Consumer)}. {@code route} gets the
     * sessions whose plain subscriptions it must leave out: the cluster delivers the message to them itself, behind
     * what another node is still handing on to them (a session that just moved here). Null when nothing.
     */
    default Object routeLocally(String topic, java.util.function.Consumer<java.util.Set<String>> route) {
        route.accept(java.util.Set.of());
        return null;
    }

    /** A message {@link #routeLocally} ran for is not forwarded after all (refused): what it set aside is dropped. */
    default void notForwarded(Object beforeLocal) {
    }

    /**
     * Runs {@code unload}, a session leaving this node for another, while no message published here is being
     * routed locally, and returns what the cluster needs to tell which of this node's messages reached the
     * session before it left (the new node leaves those out for it). Null when nothing.
     */
    default Object leaveLocally(String clientId, Runnable unload) {
        unload.run();
        return null;
    }

    /**
     * As {@link #forward(String, Publish, SharePlacement)}, with what {@link #routeLocally} returned; when a node
     * it went to has more unrouted entries than it should (it is behind), hands {@code backlog} what completes
     * once that node has caught up or left the cluster: the caller stops reading from the publisher until then.
     */
    default boolean forward(String originClientId, Publish publish, SharePlacement shares, Object beforeLocal,
                            java.util.function.Consumer<java.util.concurrent.CompletionStage<Void>> backlog) {
        return forward(originClientId, publish, shares);
    }

    /**
     * A message queued here for a share-group member that is leaving, with no other online member of the
     * group on this node: hands it to a live node that has one. False when there is none (then it stays
     * here, as on a single node). May block for one round trip.
     */
    default boolean passShare(String groupKey, Publish publish) {
        return false;
    }

    /** A share group ({@code group/filter}) gained its first local member. */
    default void shareAdded(String groupKey) {
    }

    /** A share group lost its last local member. */
    default void shareRemoved(String groupKey) {
    }

    /**
     * For a message published on this node, before it is routed: picks the one node that serves each
     * share group matching {@code topic} cluster-wide. Must not block.
     */
    default SharePlacement placeShares(String topic) {
        return SharePlacement.LOCAL;
    }

    /**
     * A CONNECT for {@code clientId}: makes this node its owner cluster-wide, closes it on the node
     * that held it, and makes its stored session known to the local registry. Completes with the
     * fencing generation of this ownership.
     *
     * @param will the connection's will as stored, null for none; published by a survivor if this node dies
     */
    default CompletableFuture<Long> acquire(String clientId, StoredMessage will, long willDelaySeconds) {
        return CompletableFuture.completedFuture(0L);
    }

    /** Whether this node still owns {@code clientId} at {@code generation} (checked after CONNACK). */
    default CompletableFuture<Boolean> confirm(String clientId, long generation) {
        return CompletableFuture.completedFuture(true);
    }

    /** The client's connection on this node ended (its will, if any, was handled here). */
    default void disconnected(String clientId) {
    }

    /** The session of {@code clientId} ended on this node (discarded or expired). */
    default void sessionEnded(String clientId) {
    }

    /** False: persistent sessions are loaded when their clients connect, not all at start. */
    /**
     * Whether this node may still act for its clients: false once the others may have declared it dead (a
     * freeze, a cut from the cluster's store), until it has rejoined. What it held back until a sync
     * completed (QoS 2 deliveries, PUBRELs) must not go out then: the sessions may live elsewhere now.
     */
    default boolean mayAct() {
        return true;
    }

    default boolean recoverSessionsAtStart() {
        return true;
    }

    /** The cluster's meters ({@code volantmq.cluster.*}, {@code $SYS/broker/cluster/...}); none when single node. */
    default java.util.List<ClusterMeter> meters() {
        return java.util.List.of();
    }

    /**
     * Every node of the cluster as the shared state shows it, by name; one round trip, so not on an event
     * loop. Throws {@link io.volantmq.persistence.PersistenceException} when the shared state does not answer.
     */
    default java.util.List<ClusterNodeInfo> nodes() {
        return java.util.List.of();
    }

    /** For {@code GET /api/cluster}; empty when single node. */
    default Map<String, Object> view() {
        return Map.of();
    }

    @Override
    default void close() {
    }
}
