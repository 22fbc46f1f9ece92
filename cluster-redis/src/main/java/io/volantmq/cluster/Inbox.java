package io.volantmq.cluster;

import io.volantmq.broker.cluster.SharePlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's inbox stream: read with XREADGROUP, handed to the local router, made durable and
 * XACKed in one transaction (see {@link #handle}), so a crash replays exactly what was not stored.
 * An in-memory seen-set of message ids drops a message that reached this node by two paths.
 */
final class Inbox {
    private static final Logger log = LoggerFactory.getLogger(Inbox.class);
    private static final int BATCH = 500;
    private static final int SEEN = 100_000;
    /** Stream field of an entry meant only for these client ids (separated by {@link #ONLY_SEPARATOR}). */
    static final String ONLY = "only";
    static final String ONLY_SEPARATOR = "\n";

    private final RedisCluster cluster;
    private final Map<String, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > SEEN;
        }
    };
    private Thread thread;
    /** Held while an entry of this node's inbox is routed, and while a session arrives (see {@link #arrived}). */
    private final Object routing = new Object();
    /** The last entry of this node's inbox routed so far (under {@link #routing}). */
    private StreamEntryID lastRouted;
    final LongAdder received = new LongAdder();
    final LongAdder duplicates = new LongAdder();

    Inbox(RedisCluster cluster) {
        this.cluster = cluster;
    }

    void start() {
        ensureGroup(cluster.me);
        thread = new Thread(this::loop, "volantmq-cluster-inbox");
        thread.setDaemon(true);
        thread.start();
    }

    void ensureGroup(String node) {
        try {
            cluster.redis(j -> j.xgroupCreate(Keys.inbox(node), Keys.GROUP, new StreamEntryID(0, 0), true));
        } catch (RuntimeException e) {
            if (!(e.getCause() instanceof JedisDataException) || !e.getMessage().contains("BUSYGROUP")) {
                throw e;
            }
        }
    }

    private void loop() {
        // first what this node read before a restart and never acknowledged, then new entries
        StreamEntryID from = new StreamEntryID(0, 0);
        while (cluster.running) {
            try {
                StreamEntryID position = from;
                List<StreamEntry> batch = cluster.redis(j -> entries(j.xreadGroup(Keys.GROUP, cluster.me,
                        XReadGroupParams.xReadGroupParams().count(BATCH).block(1000),
                        Map.of(Keys.inbox(cluster.me), position))));
                if (batch.isEmpty() && from != StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY) {
                    from = StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY;
                    continue;
                }
                handle(cluster.me, batch);
            } catch (Throwable e) {
                from = new StreamEntryID(0, 0); // a batch not acknowledged is read again from this node's pending list
                if (cluster.running) {
                    if (e.getMessage() != null && e.getMessage().contains("NOGROUP")) {
                        ensureGroupQuietly();
                    }
                    log.warn("cluster: reading the inbox failed ({}); again in 1 s", e.toString());
                    RedisCluster.sleep(1000);
                }
            }
        }
    }

    private void ensureGroupQuietly() {
        try {
            ensureGroup(cluster.me);
        } catch (RuntimeException e) {
            log.debug("cluster: inbox group not created: {}", e.getMessage());
        }
    }

    private static List<StreamEntry> entries(List<Map.Entry<String, List<StreamEntry>>> reply) {
        List<StreamEntry> result = new ArrayList<>();
        if (reply != null) {
            for (Map.Entry<String, List<StreamEntry>> stream : reply) {
                result.addAll(stream.getValue());
            }
        }
        return result;
    }

    /**
     * Routes a batch locally (passing on what a stale route sent here), then makes it durable and
     * XACKs it. With a transactional {@link Outbox} the queue entries, the passed-on forwards and the
     * XACK are one MULTI/EXEC: a crash replays a batch only when none of it was stored, so a replay
     * never enqueues twice. Ids join the seen-set only once the batch is durable, so a batch replayed
     * in this process after a failed sync is routed again, not dropped.
     */
    void handle(String node, List<StreamEntry> batch) {
        handle(node, batch, null);
    }

    private void handle(String node, List<StreamEntry> batch, Drain drain) {
        if (batch.isEmpty()) {
            return;
        }
        if (cluster.janitor.stale()) {
            // read before a freeze, or while cut off: not delivered, not acknowledged; the entries stay pending
            // for whoever reaps this node, or for this node once it has rejoined
            throw new IllegalStateException("node '" + cluster.me + "' may have been declared dead; inbox batch of "
                    + batch.size() + " left pending");
        }
        StreamEntryID[] ids = new StreamEntryID[batch.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = batch.get(i).getID();
        }
        Set<String> delivered = new HashSet<>();
        if (cluster.outbox.transactional()) {
            cluster.host.backend().together(() -> {
                route(node, batch, delivered, drain);
                cluster.outbox.ackInUnit(node, ids);
            });
            cluster.host.sync();
        } else {
            route(node, batch, delivered, drain);
            cluster.host.sync();
            cluster.redis(j -> j.xack(Keys.inbox(node), Keys.GROUP, ids));
        }
        synchronized (seen) {
            for (String msgId : delivered) {
                seen.put(msgId, Boolean.TRUE);
            }
        }
    }

    private void route(String node, List<StreamEntry> batch, Set<String> delivered, Drain drain) {
        for (StreamEntry entry : batch) {
            String text = entry.getFields() == null ? null : entry.getFields().get("m");
            if (text == null) {
                continue; // a marker, or deleted from the stream meanwhile (trimmed)
            }
            Forwarded message;
            try {
                message = Forwarded.decode(text);
            } catch (IOException e) {
                log.error("cluster: inbox entry {} of {} is unreadable ({}); skipped", entry.getID(), node,
                        e.getMessage());
                continue;
            }
            String only = entry.getFields().get(ONLY);
            if (drain != null) {
                drain.route(entry.getID(), message, only == null ? null : Set.of(only.split(ONLY_SEPARATOR)));
            } else if (only != null) {
                // handed on by a janitor for sessions that moved here: theirs only, whatever the seen-set says
                received.increment();
                cluster.host.publishForwardedTo(message.originClientId(), message.publish(),
                        Set.of(only.split(ONLY_SEPARATOR)));
            } else {
                synchronized (routing) {
                    deliver(message, delivered, node);
                    lastRouted = entry.getID();
                }
            }
        }
    }

    /**
     * A session arrives here from another node ({@code arrivedId}: the marker the registry script wrote in
     * this node's inbox; empty when it came from nowhere else): {@code load} makes it known here. Entries
     * of this inbox after the marker were meant for it too; those already routed before it was known are
     * routed to it now. And the sequence number reached by this node's own publishing is recorded: a
     * janitor hands on to it what this node published before it knew the session (see {@link Drain}).
     */
    void arrived(String clientId, String arrivedId, Runnable load) {
        if (arrivedId == null || arrivedId.isEmpty()) {
            load.run();
            return;
        }
        StreamEntryID upTo;
        long published;
        synchronized (routing) {
            load.run();
            upTo = lastRouted;
            published = cluster.lastSequence();
        }
        // only while this node owns the entry: a session that ended meanwhile had its entry deleted (Scripts.END),
        // and a plain HSET would bring it back as an entry without an owner
        cluster.redis(j -> j.eval(Scripts.MARK_LOADED, List.of(Keys.owner(clientId)),
                List.of(cluster.me, cluster.msgIdPrefix() + ":" + published)));
        StreamEntryID from = new StreamEntryID(arrivedId);
        if (upTo == null || upTo.compareTo(from) <= 0) {
            return;
        }
        List<StreamEntry> missed = cluster.redis(j -> j.xrange(Keys.inbox(cluster.me), from, upTo));
        int handed = 0;
        for (StreamEntry entry : missed) {
            String text = entry.getFields() == null ? null : entry.getFields().get("m");
            if (text == null || entry.getFields().containsKey(ONLY) || entry.getID().equals(from)) {
                continue;
            }
            try {
                Forwarded message = Forwarded.decode(text);
                cluster.host.publishForwardedTo(message.originClientId(), message.publish(), Set.of(clientId));
                handed++;
            } catch (IOException e) {
                log.error("cluster: inbox entry {} is unreadable ({}); skipped", entry.getID(), e.getMessage());
            }
        }
        log.info("cluster: {} arrived at marker {}; {} inbox entries routed before it was known handed to it",
                clientId, arrivedId, handed);
    }

    /**
     * The janitor's view of a dead node's inbox: an entry there was for the sessions that node owned when
     * it was added, wherever they live now. A session that moved away (or was adopted) left a marker in
     * the stream (see {@link Scripts#ACQUIRE}): entries before it are handed to that session at its
     * current owner, entries after it only when that owner did not get the message itself. Nothing is
     * delivered to the janitor's own sessions except what the dead node would have passed on to it.
     */
    private final class Drain {
        private final String node;
        private final Map<String, StreamEntryID> moved = new HashMap<>();
        private final Map<String, String> owners = new HashMap<>();
        StreamEntryID last;

        void passed(List<StreamEntry> batch) {
            for (StreamEntry entry : batch) {
                if (last == null || entry.getID().compareTo(last) > 0) {
                    last = entry.getID();
                }
            }
        }

        Drain(String node) {
            this.node = node;
            cluster.redis(j -> j.hgetAll(Keys.moved(node))).forEach((client, id) -> moved.put(client,
                    new StreamEntryID(id)));
        }

        private final Map<String, String> loaded = new HashMap<>();

        private String owner(String clientId) {
            return owners.computeIfAbsent(clientId, c -> {
                List<String> v = cluster.redis(j -> j.hmget(Keys.owner(c), "node", "loaded"));
                loaded.put(c, v.get(1) == null ? "" : v.get(1));
                return v.get(0) == null ? "" : v.get(0);
            });
        }

        /** Whether the owner published {@code msgId} itself before the session was known there. */
        private boolean publishedBeforeArrival(String clientId, String msgId) {
            String at = loaded.getOrDefault(clientId, "");
            int cut = at.lastIndexOf(':');
            int msgCut = msgId.lastIndexOf(':');
            if (cut < 0 || msgCut < 0 || !at.substring(0, cut).equals(msgId.substring(0, msgCut))) {
                return false;
            }
            return Long.parseLong(msgId.substring(msgCut + 1)) <= Long.parseLong(at.substring(cut + 1));
        }

        /** The share groups the publisher placed on the dead node: served here, or placed on another member node. */
        private void serveDeadNodesShares(Forwarded message) {
            if (!message.shares().containsValue(node)) {
                return;
            }
            received.increment();
            SharePlacement shares = new SharePlacement(node, message.shares(), true, false);
            cluster.host.publishForwarded(message.originClientId(), message.publish(), shares);
            if (!shares.unserved().isEmpty()) {
                cluster.reshare(message, shares.unserved(), node);
            }
        }

        void route(StreamEntryID id, Forwarded message, Set<String> only) {
            Map<String, Set<String>> targeted = new HashMap<>();
            if (only != null) {
                for (String client : only) {
                    String owner = owner(client);
                    if (!owner.isEmpty() && !owner.equals(node)) {
                        targeted.computeIfAbsent(owner, o -> new HashSet<>()).add(client);
                    }
                }
            } else {
                Set<String> passOn = cluster.routes.match(message.publish().topic());
                if (message.publish().retain()) {
                    passOn.addAll(cluster.liveNodes);
                }
                passOn.removeAll(message.covered());
                passOn.remove(node);
                boolean toMe = passOn.remove(cluster.me);
                if (toMe) {
                    // what the dead node would have passed on here, and the share groups it was to serve
                    deliver(message, new HashSet<>(), node);
                } else {
                    if (!passOn.isEmpty()) {
                        Set<String> covered = new HashSet<>(message.covered());
                        covered.addAll(passOn);
                        cluster.send(new Forwarded(message.msgId(), message.originClientId(), message.publish(),
                                covered, message.shares()), passOn);
                    }
                    serveDeadNodesShares(message);
                }
                for (Map.Entry<String, StreamEntryID> move : moved.entrySet()) {
                    String owner = owner(move.getKey());
                    if (owner.isEmpty() || owner.equals(node)) {
                        continue;
                    }
                    boolean before = id.compareTo(move.getValue()) < 0;
                    boolean reachedOwner = (message.covered().contains(owner) || passOn.contains(owner)
                            || owner.equals(cluster.me) && toMe)
                            && !publishedBeforeArrival(move.getKey(), message.msgId());
                    if (before || !reachedOwner) {
                        targeted.computeIfAbsent(owner, o -> new HashSet<>()).add(move.getKey());
                    }
                }
            }
            targeted.forEach((owner, clients) -> {
                log.debug("cluster: drain {} entry {} msg {} payload {} -> {} at {}", node, id, message.msgId(),
                        new String(message.publish().payload(), java.nio.charset.StandardCharsets.UTF_8), clients, owner);
                if (owner.equals(cluster.me)) {
                    received.increment();
                    cluster.host.publishForwardedTo(message.originClientId(), message.publish(), clients);
                } else {
                    cluster.outbox.sendTo(message, owner, clients);
                }
            });
        }
    }

    /** {@code node}: whose inbox it came from (a dead node's when the janitor drains it: its share groups). */
    private void deliver(Forwarded message, Set<String> delivered, String node) {
        boolean duplicate;
        synchronized (seen) {
            duplicate = seen.containsKey(message.msgId());
        }
        if (duplicate || !delivered.add(message.msgId())) {
            duplicates.increment(); // it came by two paths (the sender's and a stale route's pass-on)
            return;
        }
        received.increment();
        SharePlacement shares = new SharePlacement(node, message.shares(), true, !message.sharesOnly());
        cluster.host.publishForwarded(message.originClientId(), message.publish(), shares);
        if (!shares.unserved().isEmpty()) {
            cluster.reshare(message, shares.unserved(), node);
        }
        if (message.sharesOnly()) {
            return; // the plain subscribers of other nodes got the original
        }
        // a node that subscribed after the sender looked at its routes did not get it: pass it on
        Set<String> missing = cluster.routes.match(message.publish().topic());
        if (message.publish().retain()) {
            missing.addAll(cluster.liveNodes);
        }
        missing.removeAll(message.covered());
        missing.remove(cluster.me);
        if (!missing.isEmpty()) {
            Set<String> covered = new HashSet<>(message.covered());
            covered.addAll(missing);
            cluster.send(new Forwarded(message.msgId(), message.originClientId(), message.publish(), covered,
                    message.shares()), missing);
        }
    }

    /**
     * The janitor empties a dead node's inbox: its unacknowledged entries, then the rest. Returns the id of
     * the last entry handled (null: none), so that only what was drained is deleted.
     */
    StreamEntryID drain(String node) {
        ensureGroup(node);
        Drain drain = new Drain(node);
        StreamEntryID cursor = new StreamEntryID(0, 0);
        do {
            StreamEntryID start = cursor;
            Map.Entry<StreamEntryID, List<StreamEntry>> claimed = cluster.redis(j -> j.xautoclaim(Keys.inbox(node),
                    Keys.GROUP, cluster.me, 0, start, XAutoClaimParams.xAutoClaimParams().count(BATCH)));
            handle(node, claimed.getValue(), drain);
            drain.passed(claimed.getValue());
            cursor = claimed.getKey();
        } while (!cursor.equals(new StreamEntryID(0, 0)));
        while (true) {
            List<StreamEntry> batch = cluster.redis(j -> entries(j.xreadGroup(Keys.GROUP, cluster.me,
                    XReadGroupParams.xReadGroupParams().count(BATCH),
                    Map.of(Keys.inbox(node), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY))));
            if (batch.isEmpty()) {
                return drain.last;
            }
            handle(node, batch, drain);
            drain.passed(batch);
        }
    }

    void close() {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
