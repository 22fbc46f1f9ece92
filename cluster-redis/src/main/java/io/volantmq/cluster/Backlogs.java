package io.volantmq.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.resps.StreamGroupInfo;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Back-pressure across nodes: how far behind the other nodes' inboxes are, and the publishers here waiting
 * for one to catch up. A node's backlog is what was added to its inbox and not routed yet: the consumer
 * group's {@code lag} (entries not read) plus its {@code pending} (read, not acknowledged), from XINFO GROUPS
 * (Redis 7), polled every {@link #POLL_MILLIS} ms while this node forwards, one pipeline for all nodes. A node
 * whose backlog reaches {@code inboxHighWater} is "behind" until it is at or below {@code inboxLowWater}, or
 * has been reaped (left {@code vmq:nodes}: the janitor handed its inbox on), or the poll fails (the forwards
 * themselves then fail and nothing is acknowledged): publishers are never left waiting for something that cannot
 * happen. A dead node is waited for until it is reaped, not only until its liveness expired: released earlier,
 * the publishers would add to its inbox as fast as the janitor drains it, and the drain would not end.
 */
final class Backlogs {
    private static final Logger log = LoggerFactory.getLogger(Backlogs.class);
    static final long POLL_MILLIS = 50;

    private final RedisCluster cluster;
    /** Nodes behind, each with what completes once it has caught up. */
    private final Map<String, CompletableFuture<Void>> behind = new ConcurrentHashMap<>();
    /** Each other node's backlog as last polled. */
    final Map<String, Long> backlog = new ConcurrentHashMap<>();
    /** Set by every forward; the poll runs only while there is something to watch. */
    private volatile boolean forwarded;
    /** Publisher connections waiting now. */
    final AtomicInteger paused = new AtomicInteger();
    /** Times a publisher was paused for another node's backlog. */
    final LongAdder pauses = new LongAdder();
    private boolean pollFailed;
    /**
     * The members of {@code vmq:nodes} at the last poll: a node that died (no longer live) is still polled until
     * it is reaped, as its routes are kept until then and publishers here go on adding to its inbox.
     */
    private volatile Set<String> joined = Set.of();
    /** When each node was last logged as behind (a node near the mark goes behind and back often). */
    private final Map<String, Long> loggedBehind = new ConcurrentHashMap<>();

    Backlogs(RedisCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * For a message just forwarded to {@code targets}: null when none is behind, else what completes once all
     * of those that are have caught up (the caller stops reading its publisher until then).
     */
    CompletionStage<Void> waitFor(Set<String> targets) {
        forwarded = true;
        if (behind.isEmpty()) {
            return null;
        }
        CompletableFuture<Void> wait = null;
        for (String target : targets) {
            CompletableFuture<Void> caughtUp = behind.get(target);
            if (caughtUp != null) {
                wait = wait == null ? caughtUp : CompletableFuture.allOf(wait, caughtUp);
            }
        }
        if (wait == null) {
            return null;
        }
        pauses.increment();
        paused.incrementAndGet();
        return wait.whenComplete((ignored, error) -> paused.decrementAndGet());
    }

    /** One poll (on its own thread): the backlog of every live node this one may forward to. */
    void poll() {
        if (!forwarded && behind.isEmpty()) {
            return;
        }
        forwarded = false;
        Set<String> live = cluster.liveNodes;
        Set<String> nodes = new HashSet<>(live);
        nodes.addAll(joined);
        nodes.addAll(behind.keySet());
        nodes.remove(cluster.me);
        Map<String, Long> now;
        Set<String> members = new HashSet<>();
        try {
            now = cluster.redis(j -> read(j.pipelined(), nodes, members));
        } catch (RuntimeException e) {
            if (!pollFailed) {
                log.warn("cluster: the other nodes' inbox backlogs could not be read ({}); no publisher waits for them"
                        + " until they can", e.getMessage());
            }
            pollFailed = true;
            behind.keySet().forEach(this::caughtUp);
            return;
        }
        pollFailed = false;
        joined = Set.copyOf(members);
        backlog.keySet().retainAll(nodes);
        for (String node : nodes) {
            Long entries = now.get(node);
            if (entries == null || !members.contains(node)) {
                backlog.remove(node);
                caughtUp(node); // reaped: the janitor handed its inbox on
                continue;
            }
            backlog.put(node, entries);
            if (entries >= cluster.settings.inboxHighWater()) {
                if (behind.putIfAbsent(node, new CompletableFuture<>()) == null && loggedLongAgo(node)) {
                    log.info("cluster: node {} has {} forwarded entries not routed yet (high water {}); publishers"
                            + " here sending to it pause (logged at most once a minute)", node, entries, cluster.settings.inboxHighWater());
                }
            } else if (entries <= cluster.settings.inboxLowWater()) {
                caughtUp(node);
            }
        }
    }

    /** Lag plus pending of each node's inbox group (a node without an inbox is left out), and {@code vmq:nodes}. */
    private static Map<String, Long> read(Pipeline p, Set<String> nodes, Set<String> members) {
        Map<String, Response<List<StreamGroupInfo>>> replies = new LinkedHashMap<>();
        for (String node : nodes) {
            replies.put(node, p.xinfoGroups(Keys.inbox(node)));
        }
        Response<Set<String>> joined = p.smembers(Keys.NODES);
        p.sync();
        members.addAll(joined.get());
        Map<String, Long> result = new LinkedHashMap<>();
        replies.forEach((node, reply) -> {
            List<StreamGroupInfo> groups;
            try {
                groups = reply.get();
            } catch (RuntimeException e) {
                return; // no inbox stream (yet): nothing to wait for
            }
            for (StreamGroupInfo group : groups) {
                // lag is nil when Redis cannot count it (entries deleted in the middle): then count only pending
                Object lag = group.getGroupInfo().get("lag");
                if (Keys.GROUP.equals(group.getName())) {
                    result.put(node, group.getPending() + (lag instanceof Number n ? n.longValue() : 0L));
                }
            }
        });
        return result;
    }

    private void caughtUp(String node) {
        CompletableFuture<Void> waiting = behind.remove(node);
        if (waiting != null) {
            log.debug("cluster: node {} caught up (or left); publishers waiting for it resume", node);
            waiting.complete(null);
        }
    }

    private boolean loggedLongAgo(String node) {
        long now = System.nanoTime();
        Long last = loggedBehind.get(node);
        if (last != null && now - last < java.util.concurrent.TimeUnit.MINUTES.toNanos(1)) {
            return false;
        }
        loggedBehind.put(node, now);
        return true;
    }

    /** Nodes behind now. */
    int behindCount() {
        return behind.size();
    }

    /** On close: nobody waits any more. */
    void releaseAll() {
        behind.keySet().forEach(this::caughtUp);
    }
}
