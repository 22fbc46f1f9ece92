/**
 * Cluster mode over a shared Redis: {@link io.volantmq.cluster.RedisCluster} implements the broker's
 * {@code ClusterLink} seam with a fenced client-id registry (Lua scripts, a growing generation per client id),
 * a route table every node mirrors, a per-node inbox stream for forwarded messages, liveness keys, and a
 * janitor that reaps dead nodes (adopts their clients, publishes their wills, drains their inbox).
 */
package io.volantmq.cluster;
