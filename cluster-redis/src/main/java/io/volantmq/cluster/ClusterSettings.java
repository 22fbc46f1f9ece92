package io.volantmq.cluster;

import io.volantmq.broker.auth.Settings;

import java.util.Map;

/**
 * The cluster's settings, read once at start (bad values fail with the key named).
 *
 * @param uri                  the shared Redis server ({@code volantmq.cluster.redis.uri})
 * @param livenessTtlSeconds   a node that has not refreshed its liveness key for this long is dead
 * @param takeoverTimeoutMillis how long a CONNECT waits for the previous node to release the client
 * @param inboxMaxLen          entries kept in a node's inbox stream (approximate trim)
 * @param inboxHighWater       a node with this many forwarded entries not routed yet pauses the publishers
 *                             that send to it, until it is down to half of it; 0 = never (at most half of
 *                             {@code inboxMaxLen}, so that the trim never reaches what a paused publisher
 *                             was acknowledged for)
 */
record ClusterSettings(String uri, String nodeName, int livenessTtlSeconds, int takeoverTimeoutMillis,
                       long inboxMaxLen, long inboxHighWater) {

    /** Where the publishers waiting for a node behind resume. */
    long inboxLowWater() {
        return inboxHighWater / 2;
    }

    static final String DEFAULT_URI = "redis://127.0.0.1:6379/0";

    static ClusterSettings from(Map<String, String> settings, String nodeName) {
        Settings s = Settings.global(settings);
        String uri = s.string("cluster.redis.uri", null);
        if (uri == null || uri.isBlank()) {
            uri = s.string("persistence.redis.uri", DEFAULT_URI);
        }
        uri = uri.trim();
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw s.bad("cluster.redis.uri", uri, "redis://host:port/db or rediss://...");
        }
        if (nodeName == null || nodeName.isBlank() || nodeName.contains("|") || nodeName.contains(",")) {
            throw s.bad("nodeName", nodeName, "a name unique in the cluster, without '|' or ','");
        }
        long inboxMaxLen = s.longValue("cluster.inboxMaxLen", 1_000_000, 1000, Long.MAX_VALUE);
        return new ClusterSettings(uri, nodeName, s.integer("cluster.livenessTtl", 5, 2, 3600),
                s.integer("cluster.takeoverTimeoutMillis", 2000, 1, 60_000), inboxMaxLen,
                s.longValue("cluster.inboxHighWater", Math.min(20_000, inboxMaxLen / 2), 0, inboxMaxLen / 2));
    }
}
