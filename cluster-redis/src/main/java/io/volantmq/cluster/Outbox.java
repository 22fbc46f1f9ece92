package io.volantmq.cluster;

import io.volantmq.persistence.Store;
import io.volantmq.persistence.redis.RedisGroupWrites;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where this node's writes to inbox streams go. When the store is a grouped redis store on the
 * cluster's server, an XADD or XACK made inside the store's {@link Store#together} unit joins the
 * store's MULTI/EXEC: a PUBLISH's inbound QoS 2 id, its local queue entries and its forwards land
 * together or not at all, and so do an inbox batch's queue entries and its XACK (a crash never
 * leaves a forwarded message without the id that recognises its resend, nor a routed entry
 * unacknowledged). Everything else (QoS 0, wills, a store on another server) is sent at once.
 */
final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    private final RedisCluster cluster;
    /** Null when the store's transactions cannot hold the cluster's writes. */
    private final RedisGroupWrites shared;

    Outbox(RedisCluster cluster, Store backend) {
        this.cluster = cluster;
        this.shared = shareable(backend, URI.create(cluster.settings.uri()));
    }

    private static RedisGroupWrites shareable(Store backend, URI clusterUri) {
        if (!(backend instanceof RedisGroupWrites writes)) {
            log.warn("cluster: the store is not a redis store; forwards are not in the store's transactions");
            return null;
        }
        if (!writes.grouped() || !writes.sameServer(clusterUri)) {
            // a crash between a forward and the PUBREC's write can then forward a QoS 2 message twice
            log.warn("cluster: the redis store {}; a QoS 2 message forwarded just before a crash can be"
                    + " forwarded again when its publisher resends it (docs/cluster.md)", writes.grouped()
                    ? "is on another server than volantmq.cluster.redis.uri" : "has commit=each");
            return null;
        }
        return writes;
    }

    /** Whether an inbox batch's routing and XACK can be made one transaction. */
    boolean transactional() {
        return shared != null;
    }

    /** XADDs to every target's inbox: in the current unit, or at once in one round trip (throws: not acknowledged). */
    void send(Forwarded message, Set<String> targets) {
        send(message, targets, Map.of("m", message.encode()));
    }

    /**
     * As above, for a message this node passes on from its inbox entry {@code source} (it came on a stale route): the
     * entry says so, so that a node a session moved to from here can tell whether this node delivered it to the
     * session itself (see {@code Inbox}).
     */
    void passOn(Forwarded message, Set<String> targets, String source) {
        send(message, targets, Map.of("m", message.encode(), Inbox.PASSED_BY, cluster.me, Inbox.PASSED_FROM, source));
    }

    private void send(Forwarded message, Set<String> targets, Map<String, String> fields) {
        if (shared != null && shared.inUnit()) {
            for (String target : targets) {
                add(target, fields);
            }
            return;
        }
        XAddParams trim = XAddParams.xAddParams().maxLen(cluster.settings.inboxMaxLen()).approximateTrimming();
        cluster.redis(j -> {
            Pipeline p = j.pipelined();
            for (String target : targets) {
                p.xadd(Keys.inbox(target), trim, fields);
            }
            p.sync();
            return null;
        });
    }

    /**
     * XADDs a message meant only for {@code clientIds} at {@code target} (the janitor hands a dead node's
     * inbox entries to the sessions that moved away from it): the receiver delivers it to those only.
     */
    void sendTo(Forwarded message, String target, Set<String> clientIds) {
        add(target, Map.of("m", message.encode(), Inbox.ONLY, String.join(Inbox.ONLY_SEPARATOR, clientIds)));
    }

    /**
     * XADDs a message published here to this node's own inbox, for {@code clientId} only: a session whose messages
     * are set aside while what its old node hands on to it arrives (see {@link RedisCluster#routeLocally}). One entry
     * per session: each is held or delivered on its own, and acknowledged once.
     */
    void setAside(Forwarded message, String clientId) {
        add(cluster.me, Map.of("m", message.encode(), Inbox.ONLY, clientId, Inbox.SET_ASIDE, "1"));
    }

    /** Entries kept in a node's dead-letter stream: the newest, about this many. */
    private static final int DEAD_LETTERS_KEPT = 10_000;

    /** XADDs to this node's dead-letter stream (an inbox entry whose routing failed): in the current unit, or at once. */
    void deadLetter(Map<String, String> fields) {
        xadd(Keys.deadLetters(cluster.me), DEAD_LETTERS_KEPT, "dead letter", fields);
    }

    private void add(String target, Map<String, String> fields) {
        xadd(Keys.inbox(target), cluster.settings.inboxMaxLen(), "forward to " + target, fields);
    }

    /** XADDs {@code fields} to the stream {@code key}, trimmed to about {@code maxLen}: in the current unit, or at once. */
    private void xadd(String key, long maxLen, String what, Map<String, String> fields) {
        XAddParams trim = XAddParams.xAddParams().maxLen(maxLen).approximateTrimming();
        if (shared != null && shared.inUnit()) {
            shared.defer(what, tx -> tx.xadd(key, trim, fields));
            return;
        }
        cluster.redis(j -> j.xadd(key, trim, fields));
    }

    /** Hands {@code message} to wherever {@code clientId} lives now, for it only ({@link Scripts#HAND_ON}). */
    void handOn(Forwarded message, String clientId) {
        List<String> keys = List.of(Keys.owner(clientId));
        List<String> args = List.of(Keys.INBOX_PREFIX, String.valueOf(cluster.settings.inboxMaxLen()),
                message.encode(), clientId);
        if (shared != null && shared.inUnit()) {
            shared.defer("hand on to " + clientId, tx -> tx.eval(Scripts.HAND_ON, keys, args));
            return;
        }
        cluster.redis(j -> j.eval(Scripts.HAND_ON, keys, args));
    }

    /** XACKs {@code ids} of {@code node}'s inbox in the current unit (only when {@link #transactional()}). */
    void ackInUnit(String node, StreamEntryID[] ids) {
        String key = Keys.inbox(node);
        shared.defer("acknowledge " + ids.length + " inbox entries of " + node, tx -> tx.xack(key, Keys.GROUP, ids));
    }

    /** Syncs whose WAIT found fewer replicas than asked (nothing of them acknowledged). */
    long notReplicated() {
        return shared == null ? 0 : shared.notReplicated();
    }
}
