package io.volantmq.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.XTrimParams;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Liveness and clean-up, once a second on the heartbeat thread: refreshes this node's liveness key
 * (or fences the node when it cannot for longer than the TTL), resynchronises the route table, and,
 * while holding the janitor lease, reaps dead nodes: adopts their clients (sessions and wills),
 * empties their inboxes and removes their routes.
 */
final class Janitor {
    private static final Logger log = LoggerFactory.getLogger(Janitor.class);

    private final RedisCluster cluster;
    private volatile long lastBeat = System.currentTimeMillis();
    private volatile boolean fenced;
    private int beats;
    final LongAdder reaped = new LongAdder();
    /** Times this node fenced itself (liveness not refreshed within the TTL). */
    final LongAdder fencings = new LongAdder();

    Janitor(RedisCluster cluster) {
        this.cluster = cluster;
    }

    /** The lease lasts as long as liveness: a dead janitor is replaced as soon as its death is seen. */
    private int lease() {
        return cluster.settings.livenessTtlSeconds();
    }

    boolean fenced() {
        return fenced;
    }

    /**
     * Whether this node may have been declared dead: fenced, or no liveness refresh for longer than the
     * TTL (e.g. it was frozen and has just woken up, before the next beat could fence it). Nothing it
     * holds may be acted on then: no inbox delivery, no acknowledgement.
     */
    boolean stale() {
        return fenced || System.currentTimeMillis() - lastBeat > cluster.settings.livenessTtlSeconds() * 1000L;
    }

    void beat() {
        try {
            // XX: only while the key lives; once it expired the others may have reaped this node
            String refreshed = cluster.redis(j -> j.set(Keys.node(cluster.me), "1", SetParams.setParams().xx()
                    .ex(cluster.settings.livenessTtlSeconds())));
            if (refreshed == null || fenced || cluster.epochTaken()) {
                rejoin(refreshed == null);
            }
            cluster.redis(j -> j.sadd(Keys.NODES, cluster.me));
            lastBeat = System.currentTimeMillis();
            sampleInbox();
            if (++beats % 5 == 0) {
                resync();
            } else {
                cluster.liveNodes = live();
            }
            janitor();
        } catch (Throwable e) {
            if (!fenceIfSilent(e.toString())) {
                log.warn("cluster: heartbeat failed: {}", e.toString());
            }
        }
    }

    /**
     * Run every few hundred milliseconds on its own thread: a heartbeat that hangs in a Redis call (socket
     * and pool timeouts) must not delay the fence past the TTL.
     */
    void checkDeadline() {
        try {
            fenceIfSilent("no heartbeat answered");
        } catch (Throwable e) {
            log.error("cluster: deadline check failed", e);
        }
    }

    /** Fences this node when its last successful heartbeat is older than the TTL; whether it did now. */
    private synchronized boolean fenceIfSilent(String why) {
        long silent = System.currentTimeMillis() - lastBeat;
        if (fenced || silent <= cluster.settings.livenessTtlSeconds() * 1000L) {
            return false;
        }
        // the others consider this node dead now and take its clients: it must not act as their owner
        fenced = true;
        fencings.increment();
        log.error("cluster: node '{}' could not refresh its liveness for {} ms ({}): disconnecting every client",
                cluster.me, silent, why);
        try {
            cluster.host.disconnectAll("this node lost the cluster registry");
        } catch (Throwable failure) {
            log.error("cluster: disconnecting the clients failed", failure);
        }
        return true;
    }

    /**
     * This node was silent longer than the TTL (cut off from Redis, or frozen: a GC pause, SIGSTOP, a
     * suspended VM) and may have been reaped, or a janitor raised its epoch: what it holds in memory is
     * stale. It lets every client go, as if it had restarted, takes a new epoch (the store drops what it
     * wrote before), registers again, and takes back what still belongs to it.
     */
    private synchronized void rejoin(boolean expired) {
        if (!fenced) {
            fenced = true;
            fencings.increment();
            log.error("cluster: node '{}' was silent for {} ms (liveness {} s; its key {}) or reaped (its epoch raised):"
                    + " disconnecting every client", cluster.me, System.currentTimeMillis() - lastBeat,
                    cluster.settings.livenessTtlSeconds(), expired ? "expired" : "is still there");
            cluster.host.disconnectAll("this node lost the cluster registry");
        }
        cluster.generations.clear();
        // a new epoch: what this node wrote before and has not flushed yet is dropped (a janitor may have
        // handed the same work on meanwhile); nothing of it was acknowledged, as after a crash
        cluster.fenceStore();
        cluster.redis(j -> j.set(Keys.node(cluster.me), "1", SetParams.setParams()
                .ex(cluster.settings.livenessTtlSeconds())));
        reap(cluster.me, false); // its clients nobody took meanwhile: sessions reloaded, wills published
        fenced = false;
        log.warn("cluster: node '{}' reaches Redis again and rejoins", cluster.me);
    }

    /** This node's inbox length and pending entries, for the meters (read there without a round trip). */
    private void sampleInbox() {
        cluster.redis(j -> {
            cluster.inboxLength = j.xlen(Keys.inbox(cluster.me));
            try {
                cluster.inboxPending = j.xpending(Keys.inbox(cluster.me), Keys.GROUP).getTotal();
            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                cluster.inboxPending = 0; // the group is made when the inbox starts
            }
            return null;
        });
    }

    private Set<String> live() {
        return cluster.redis(j -> {
            Set<String> nodes = j.smembers(Keys.NODES);
            Set<String> alive = new HashSet<>();
            for (String node : nodes) {
                if (node.equals(cluster.me) || j.exists(Keys.node(node))) {
                    alive.add(node);
                }
            }
            return alive;
        });
    }

    /**
     * Re-reads every node's routes and republishes this node's own (heals lost channel messages). A dead node's
     * routes stay until the janitor has reaped it ({@code *|node}): until it has adopted the node's sessions
     * they are reached only through its inbox, which the janitor drains after the adoption.
     */
    void resync() {
        cluster.liveNodes = live();
        Set<String> nodes = cluster.redis(j -> j.smembers(Keys.NODES));
        Set<String> mine = new HashSet<>(cluster.localRoutes);
        Set<String> myShares = new HashSet<>(cluster.localShares);
        Map<String, Set<String>> shares = new HashMap<>();
        cluster.routes.beginResync();
        Map<String, Set<String>> all;
        try {
            all = cluster.redis(j -> {
            Map<String, Set<String>> result = new HashMap<>();
            for (String node : nodes) {
                if (!node.equals(cluster.me)) {
                    result.put(node, j.smembers(Keys.routes(node)));
                    shares.put(node, j.smembers(Keys.shares(node)));
                }
            }
            if (!mine.isEmpty()) {
                j.sadd(Keys.routes(cluster.me), mine.toArray(new String[0]));
            }
            if (!myShares.isEmpty()) {
                j.sadd(Keys.shares(cluster.me), myShares.toArray(new String[0]));
            }
            return result;
            });
        } catch (RuntimeException e) {
            cluster.routes.abandonResync();
            throw e;
        }
        cluster.routes.endResync(all, shares, cluster.me);
    }

    void resyncQuietly() {
        try {
            resync();
        } catch (Throwable e) {
            log.warn("cluster: route resync failed: {}", e.toString());
        }
    }

    private void janitor() {
        String holder = cluster.redis(j -> {
            j.set(Keys.JANITOR, cluster.me, SetParams.setParams().nx().ex(lease()));
            String h = j.get(Keys.JANITOR);
            if (cluster.me.equals(h)) {
                j.expire(Keys.JANITOR, lease());
            }
            return h;
        });
        if (!cluster.me.equals(holder)) {
            return;
        }
        Set<String> members = cluster.redis(j -> j.smembers(Keys.NODES));
        for (String node : members) {
            if (!node.equals(cluster.me) && !cluster.liveNodes.contains(node)
                    && !Boolean.TRUE.equals(cluster.redis(j -> j.exists(Keys.node(node))))) {
                reap(node, true);
            }
        }
    }

    /**
     * Takes over what {@code dead} left: its clients (sessions loaded here, wills published), its inbox
     * (routed from here) and its routes. With {@code dead} = this node: what a previous run left.
     */
    void reap(String dead, boolean other) {
        if (other) {
            // first: from now on no store write of that node applies (one it made before a freeze, say); the key is
            // deleted, not raised, so a reaped node leaves no key behind
            cluster.redis(j -> j.del(Keys.epoch(dead)));
        }
        Map<String, String> connected = cluster.redis(j -> j.hgetAll(Keys.connected(dead)));
        Set<String> clients = new HashSet<>(cluster.redis(j -> j.smembers(Keys.owned(dead))));
        clients.addAll(connected.keySet());
        if (other || !clients.isEmpty()) {
            log.warn("cluster: {}: adopting its {} client(s){}", other ? "node '" + dead + "' is dead (no liveness for "
                    + cluster.settings.livenessTtlSeconds() + " s)" : "this node restarted", clients.size(),
                    other ? ", draining its inbox and removing its routes" : "");
        }
        int adopted = 0;
        for (String clientId : clients) {
            java.util.List<?> reply = (java.util.List<?>) cluster.redis(j -> j.eval(Scripts.ADOPT,
                    java.util.List.of(Keys.owner(clientId), Keys.owned(cluster.me), Keys.GEN), java.util.List.of(dead,
                            cluster.me, clientId, Keys.INBOX_PREFIX, Keys.MOVED_PREFIX)));
            String arrived = (String) reply.get(1);
            if (!(reply.get(0) instanceof Long gen) || gen == 0) {
                continue; // it reconnected elsewhere meanwhile: that node decides about its will
            }
            cluster.generations.put(clientId, gen);
            Forwarded.Will will = null;
            try {
                will = Forwarded.decodeWill(connected.get(clientId));
            } catch (IOException e) {
                log.error("cluster: the will of {} is unreadable ({}); not published", clientId, e.getMessage());
            }
            Forwarded.Will adoptedWill = will;
            cluster.inbox.arrived(clientId, arrived, "", dead, false, () -> cluster.host.adopt(clientId,
                    adoptedWill == null ? null : adoptedWill.message(), adoptedWill == null ? 0 : adoptedWill.delaySeconds()));
            adopted++;
        }
        cluster.redis(j -> j.del(Keys.connected(dead)));
        if (other) {
            StreamEntryID first = cluster.inbox.drain(dead);
            cluster.redis(j -> {
                Pipeline p = j.pipelined();
                p.del(Keys.routes(dead));
                p.del(Keys.shares(dead));
                p.publish(Keys.ROUTES_CHANNEL, "*|" + dead);
                p.srem(Keys.NODES, dead);
                p.del(Keys.owned(dead));
                p.sync();
                return null;
            });
            cluster.routes.removeNode(dead);
            StreamEntryID second = cluster.inbox.drain(dead); // what was sent on the old routes meanwhile
            StreamEntryID last = second != null ? second : first;
            if (last != null) {
                // only what was drained: entries added since (late senders, or the node restarted under its
                // name) stay for whoever reads them next
                StreamEntryID after = new StreamEntryID(last.getTime(), last.getSequence() + 1);
                cluster.redis(j -> j.xtrim(Keys.inbox(dead), XTrimParams.xTrimParams().minId(after.toString())));
            }
            // an inbox left empty goes (no key of a dead node stays); an XADD after this makes a new one
            cluster.redis(j -> j.eval("if redis.call('XLEN', KEYS[1]) == 0 then return redis.call('DEL', KEYS[1]) end"
                    + " return 0", java.util.List.of(Keys.inbox(dead)), java.util.List.of()));
            cluster.redis(j -> j.del(Keys.moved(dead)));
            reaped.increment();
        }
        if (adopted > 0) {
            log.warn("cluster: {} client(s) of '{}' adopted by '{}'", adopted, dead, cluster.me);
        }
    }
}
