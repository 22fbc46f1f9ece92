package io.volantmq.broker.cluster;

/**
 * One node as the shared state shows it.
 *
 * @param alive        its liveness key is there (it refreshed it within the TTL)
 * @param clients      clients connected to it
 * @param owned        client ids it owns (connected, and persistent sessions it holds offline)
 * @param inboxLength  entries in its inbox stream
 * @param inboxPending entries it read but has not acknowledged yet
 */
public record ClusterNodeInfo(String name, boolean alive, long clients, long owned, long inboxLength,
                              long inboxPending) {
}
