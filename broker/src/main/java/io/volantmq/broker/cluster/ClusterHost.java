package io.volantmq.broker.cluster;

import io.volantmq.broker.protocol.Publish;
import io.volantmq.persistence.StoredMessage;

import java.util.concurrent.CompletableFuture;

/** What a {@link ClusterLink} may do to the local node: the core's side of the seam. */
public interface ClusterHost {

    String nodeName();

    /** Routes a message that another node forwarded, to local subscribers only (never forwarded again). */
    void publishForwarded(String originClientId, Publish publish);

    /** As {@link #publishForwarded}, to those of {@code clientIds} whose subscriptions match, nobody else. */
    void publishForwardedTo(String originClientId, Publish publish, java.util.Set<String> clientIds);

    /**
     * As above; share groups only those {@code shares} maps to this node, and the ones without a local
     * member are left in {@link SharePlacement#unserved()}.
     */
    void publishForwarded(String originClientId, Publish publish, SharePlacement shares);

    /** As above, leaving out the sessions of {@code except} (another node delivers to them: a move). */
    void publishForwarded(String originClientId, Publish publish, SharePlacement shares, java.util.Set<String> except);

    /**
     * Runs {@code routing} (calls of the methods above) with the writes to heap queues (sessions that end with their
     * connection) held back, and returns them for the caller to run once the routing's store writes are durable.
     */
    default java.util.List<Runnable> holdingBackHeapWrites(Runnable routing) {
        routing.run();
        return java.util.List.of();
    }

    /**
     * Whether a subscription of the session {@code clientId} known here matches {@code topic} (true when not
     * known: the caller then keeps what it would otherwise drop).
     */
    default boolean subscribes(String clientId, String topic) {
        return true;
    }

    /** The clients known here with a plain subscription (not in a share group) matching {@code topic}. */
    default java.util.List<String> plainSubscribers(String topic) {
        return java.util.List.of();
    }

    /** Whether the session of {@code clientId} is known here (online or offline). */
    default boolean knows(String clientId) {
        return true;
    }

    /** The filters of the plain subscriptions (not in a share group) of the session {@code clientId} known here. */
    default java.util.List<String> plainFilters(String clientId) {
        return java.util.List.of();
    }

    /**
     * Another node took {@code clientId} over: closes its connection here (MQTT 5: DISCONNECT 0x8E)
     * and forgets the session in memory, leaving it in the shared store. Completes when done, with what
     * {@link ClusterLink#leaveLocally} returned for it (null: the session was not here).
     */
    CompletableFuture<Object> release(String clientId);

    /** Makes the stored session of {@code clientId} known here (offline) unless it is already. */
    void load(String clientId);

    /**
     * Adopts the session of a client whose node died: loads it (if persistent) and publishes its will,
     * if any, after its delay unless the client resumes first.
     */
    void adopt(String clientId, StoredMessage will, long willDelaySeconds);

    /**
     * The node lost its proof of ownership: disconnects every local client and forgets every session
     * in memory (the shared store keeps them for whoever owns them now). Returns when done.
     */
    void disconnectAll(String reason);

    /** Makes what was routed so far durable (before an inbox entry is acknowledged). */
    void sync();

    /**
     * The store as its provider opened it (without the broker's guard): a cluster on the same server
     * may add its own writes to the store's transactions through it.
     */
    io.volantmq.persistence.Store backend();
}
