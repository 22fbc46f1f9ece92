package io.volantmq.cluster;

import io.volantmq.broker.cluster.SharePlacement;
import io.volantmq.broker.routing.TopicMatcher;
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
    /**
     * What happens to each message and session move, at DEBUG (off by default; the fault tests turn it on to
     * follow a duplicate through the nodes' logs).
     */
    static final Logger TRACE = LoggerFactory.getLogger("io.volantmq.cluster.trace");
    private static final int BATCH = 500;
    private static final int SEEN = 100_000;
    /** Stream field of an entry meant only for these client ids (separated by {@link #ONLY_SEPARATOR}). */
    static final String ONLY = "only";
    static final String ONLY_SEPARATOR = "\n";
    /** Marks an entry this node wrote into its own inbox for sessions whose messages it sets aside (see {@link RedisCluster#routeLocally}). */
    static final String SET_ASIDE = "aside";
    /** Fields of an entry another node passed on from its own inbox: that node, and the entry's id there. */
    static final String PASSED_BY = "via";
    static final String PASSED_FROM = "src";

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
    /**
     * Who delivers to a session that moves (all under {@link #routing}). The registry scripts write a
     * {@code moved} marker into the old node's inbox and an {@code arrived} marker into the new node's, and a
     * forward lands in all its targets' inboxes at once, so each message is before both or after both: what
     * precedes the markers is the old node's to deliver, what follows is the new node's. Sessions that arrived
     * here and whose {@code arrived} marker this inbox has not read yet: entries before it that also went to
     * the node they came from are left out for them.
     */
    private final Map<String, Marker> arriving = new HashMap<>();
    /** Sessions whose {@code moved} marker this inbox read (and no later arrival): left out where the new node got it. */
    private final Map<String, Away> away = new HashMap<>();
    /** Sessions released here before this inbox reached their {@code moved} marker: what is theirs is handed on. */
    private final Map<String, StreamEntryID> released = new HashMap<>();
    /**
     * Sessions released here that moved away (with {@link #away}): a message their new node published while it
     * had not loaded them, but XADDed here only after this node let them go, is handed on to them. The value is
     * what the new node had published when it loaded the session (its {@code loaded} in the owner entry, "" when
     * not known): a later arrival there, after the session moved on and came back, is not this node's business.
     */
    private final Map<String, Gone> gone = new HashMap<>();
    /**
     * Sessions that arrived here from a node that still had them (the kick is out): the messages this inbox reads
     * meanwhile that could concern them (a filter of theirs matches, or the message names them), and this node's
     * own set aside for them, are held, since that node may still deliver or hand on earlier ones, and its local
     * routing may have reached them there. Once it has let go, it says up to which of its messages it held the
     * session, and the held ones (but those) are delivered after what it handed on ({@link #releasedThere}).
     */
    private final Map<String, Held> holding = new HashMap<>();
    /**
     * Entries of this inbox held for a session and not acknowledged yet: they stay pending, so if this node dies
     * before it settles them, the janitor hands them on (twice at worst) instead of nobody having them.
     */
    private final Set<StreamEntryID> heldIds = new HashSet<>();
    /**
     * Held entries of the batch being routed, whose batch is not durable yet: settled meanwhile, they are acknowledged
     * by their batch after its sync (acknowledged earlier, a crash would lose their other deliveries), and dropped
     * from {@link #heldIds} and {@link #holding} if the batch fails (its replay holds them again).
     */
    private final Set<StreamEntryID> provisional = new HashSet<>();
    /**
     * Sessions whose old node has answered, until this inbox has durably routed every entry it had when the answer
     * came (the old node's hand-ons are among them): then what was held for them is delivered, after those.
     */
    private final Map<String, Releasing> releasing = new HashMap<>();
    /** This node's own set-aside messages the batch being routed read back, by client id (under {@link #routing}). */
    private final List<Map.Entry<String, String>> readBack = new ArrayList<>();
    /**
     * True until this process has routed again what an earlier run of this node read and never acknowledged: those
     * are not passed on with their source (see {@link #passedBefore}), since this run does not know which sessions
     * had moved away before them.
     */
    private volatile boolean replayingEarlierRun = true;
    /** The last entry of this node's inbox whose batch is durable (under {@link #routing}; notified). */
    private StreamEntryID committedUpTo;
    /**
     * Sessions that moved here from another node, with their {@code moved} marker in that node's inbox: a message
     * that node passes on here from an entry before the marker was its to deliver to them (it did, or handed it on).
     */
    private final Map<String, Marker> passedBefore = new HashMap<>();
    /** Sessions that came from a node that let them go: its messages in the window reached them there. */
    private final Map<String, Reached> reachedBefore = new HashMap<>();

    /**
     * The messages held for a session that arrived from {@code node}, with their inbox entry ids;
     * {@code arrival}: the session's {@code arrived} marker in this inbox.
     */
    private record Held(String node, StreamEntryID arrival, Map<StreamEntryID, Forwarded> messages) {
    }

    /** A {@link #releasing} session: what its old node said, this inbox's last entry then, and when. */
    private record Releasing(Window window, StreamEntryID end, long since) {
    }

    /** A {@link #reachedBefore} window, and the {@code arrived} marker of the arrival it belongs to. */
    private record Reached(Window window, StreamEntryID arrival) {
    }

    /**
     * A {@link #gone} session: its {@code moved} marker in this inbox, its new node and that node's {@code loaded}, and
     * its plain subscriptions' filters when it was let go here.
     */
    private record Gone(StreamEntryID marker, String node, String loadedThere, List<String> filters) {
    }

    /**
     * The messages a node routed while it held a session: numbered after {@code from} (its sequence when it loaded
     * the session) and up to {@code mark} (node:incarnation:sequence, its last one routed before it let go).
     */
    record Window(long from, String mark) {
        boolean contains(String msgId) {
            int order = numbered(msgId, mark);
            return order <= 0 && order != Integer.MAX_VALUE
                    && Long.parseLong(msgId.substring(msgId.lastIndexOf(':') + 1)) > from;
        }
    }

    /** A move marker's entry id, and the other node (where the session came from, or went to). */
    private record Marker(StreamEntryID id, String node) {
    }

    /**
     * Where a session went ({@code node}), and the id of the last message that node had published before it took
     * the session ({@code publishedUpTo}, node:incarnation:sequence; null from a node of an earlier version).
     */
    private record Away(String node, String publishedUpTo) {
        /**
         * Whether the new node got {@code message} itself: it went through that node's inbox, or that node published
         * it after loading the session (numbered after its marker, and not among the sessions it had not loaded
         * yet), so its local routing reached the session.
         */
        boolean reachedThere(Forwarded message, String clientId) {
            if (reachedInbox(message, node)) {
                return true;
            }
            if (publishedUpTo == null || message.sharesOnly() || message.notReached().contains(clientId)) {
                return false;
            }
            int cut = publishedUpTo.lastIndexOf(':');
            String id = message.msgId();
            return id.lastIndexOf(':') == cut && id.regionMatches(0, publishedUpTo, 0, cut + 1)
                    && Long.parseLong(id.substring(cut + 1)) > Long.parseLong(publishedUpTo.substring(cut + 1));
        }
    }
    final LongAdder received = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    /** Inbox entries whose routing threw, set aside in the dead-letter stream. */
    final LongAdder poisoned = new LongAdder();

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
                    caughtUpWithPending();
                    continue;
                }
                pauseForTest(batch);
                handle(cluster.me, batch);
                afterBatch(batch);
                if (from != StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY) {
                    // on through the pending list: held entries stay pending, read from its start again they would
                    // come back at once, for ever
                    from = batch.get(batch.size() - 1).getID();
                }
            } catch (Throwable e) {
                synchronized (routing) {
                    readBack.clear(); // read again with the batch
                }
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

    /**
     * Tests only, never set otherwise: a batch of this inbox holding a message on a topic that starts with this
     * waits {@link #TEST_PAUSE_MILLIS} before it is routed, so that a test can move a session while its old node
     * has read none of it (ClusterMoveIT).
     */
    private static final String TEST_PAUSE_TOPIC = System.getProperty("vmqtest.pauseInboxOn");
    /** Tests only, never set otherwise: routing an inbox entry on a topic that starts with this throws. */
    private static final String TEST_POISON_TOPIC = System.getProperty("vmqtest.poisonInboxOn");
    private static final long TEST_PAUSE_MILLIS = Long.getLong("vmqtest.pauseInboxMillis", 150);

    private static void pauseForTest(List<StreamEntry> batch) {
        if (TEST_PAUSE_TOPIC == null) {
            return;
        }
        for (StreamEntry entry : batch) {
            String text = entry.getFields() == null ? null : entry.getFields().get("m");
            try {
                if (text != null && Forwarded.decode(text).publish().topic().startsWith(TEST_PAUSE_TOPIC)) {
                    RedisCluster.sleep(TEST_PAUSE_MILLIS);
                    return;
                }
            } catch (IOException e) {
                return; // routing says so
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
        List<Runnable> heapWrites = new ArrayList<>();
        StreamEntryID[] routed;
        try {
            routed = writeThenAck(node, () -> route(node, batch, delivered, drain), () -> notHeld(ids), heapWrites);
        } catch (RuntimeException e) {
            dropProvisional(ids);
            throw e; // replayed: its store writes went with its unit, its heap writes were never made
        }
        heapWrites.forEach(Runnable::run);
        StreamEntryID[] settledMeanwhile = endProvisional(ids, routed);
        if (settledMeanwhile.length > 0) {
            cluster.redis(j -> j.xack(Keys.inbox(node), Keys.GROUP, settledMeanwhile));
        }
        synchronized (seen) {
            for (String msgId : delivered) {
                seen.put(msgId, Boolean.TRUE);
            }
        }
    }

    /**
     * Runs {@code routing} and acknowledges in {@code node}'s inbox the entries {@code toAck} names once it has run:
     * in one store unit when the outbox can join it, else the XACK after the sync. The routing's heap-queue writes
     * are added to {@code heapWrites}, for the caller to make once this has returned. Returns the ids acknowledged.
     */
    private StreamEntryID[] writeThenAck(String node, Runnable routing, java.util.function.Supplier<StreamEntryID[]> toAck,
                                         List<Runnable> heapWrites) {
        StreamEntryID[][] acked = new StreamEntryID[1][];
        if (cluster.outbox.transactional()) {
            cluster.host.backend().together(() -> {
                heapWrites.addAll(cluster.host.holdingBackHeapWrites(routing));
                acked[0] = toAck.get();
                if (acked[0].length > 0) {
                    cluster.outbox.ackInUnit(node, acked[0]);
                }
            });
            cluster.host.sync();
        } else {
            heapWrites.addAll(cluster.host.holdingBackHeapWrites(routing));
            cluster.host.sync();
            acked[0] = toAck.get();
            if (acked[0].length > 0) {
                cluster.redis(j -> j.xack(Keys.inbox(node), Keys.GROUP, acked[0]));
            }
        }
        return acked[0];
    }

    /** The batch of {@code ids} is durable: its held entries that were settled meanwhile, to acknowledge now. */
    private StreamEntryID[] endProvisional(StreamEntryID[] ids, StreamEntryID[] acknowledged) {
        synchronized (routing) {
            if (provisional.isEmpty()) {
                return new StreamEntryID[0];
            }
            Set<StreamEntryID> done = Set.of(acknowledged);
            List<StreamEntryID> settled = new ArrayList<>();
            for (StreamEntryID id : ids) {
                if (provisional.remove(id) && !heldIds.contains(id) && !done.contains(id)) {
                    settled.add(id);
                }
            }
            return settled.toArray(StreamEntryID[]::new);
        }
    }

    /** The batch of {@code ids} failed and will be read again: what it held is forgotten (its replay holds it again). */
    private void dropProvisional(StreamEntryID[] ids) {
        synchronized (routing) {
            for (StreamEntryID id : ids) {
                if (provisional.remove(id)) {
                    heldIds.remove(id);
                    holding.values().forEach(held -> held.messages().remove(id));
                }
            }
        }
    }

    /** The ids of {@code ids} not held for a session (those are acknowledged when they are settled). */
    private StreamEntryID[] notHeld(StreamEntryID[] ids) {
        synchronized (routing) {
            if (heldIds.isEmpty()) {
                return ids;
            }
            return java.util.Arrays.stream(ids).filter(id -> !heldIds.contains(id)).toArray(StreamEntryID[]::new);
        }
    }

    private void route(String node, List<StreamEntry> batch, Set<String> delivered, Drain drain) {
        for (StreamEntry entry : batch) {
            try {
                route(node, entry, delivered, drain);
            } catch (RuntimeException e) {
                if (storeFailure(e)) {
                    throw e; // the batch is tried again: the store is at fault, not the entry
                }
                poisoned(node, entry, e);
            }
        }
    }

    /**
     * Whether {@code e}, thrown while an entry was routed, came from Redis or the store (the batch is tried again)
     * rather than from routing that entry (which would throw again every time).
     */
    private static boolean storeFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof redis.clients.jedis.exceptions.JedisException
                    || t instanceof io.volantmq.persistence.PersistenceException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Routing {@code entry} threw (a bug, a plugin's hook): were it left in the batch, the batch would fail on it
     * every second and nothing after it would reach this node's sessions. It is written to the node's dead-letter
     * stream ({@link Keys#deadLetters}) with the error, in the batch's unit, and acknowledged with the batch; the
     * sessions it reached before the error keep it. Logged and counted ({@code inbox.poisoned}).
     */
    private void poisoned(String node, StreamEntry entry, RuntimeException e) {
        poisoned.increment();
        String text = entry.getFields() == null ? null : entry.getFields().get("m");
        log.error("cluster: routing inbox entry {} of {} failed; set aside in {} and acknowledged, the inbox goes on"
                + " ({})", entry.getID(), node, Keys.deadLetters(cluster.me), describe(text), e);
        Map<String, String> fields = new HashMap<>(entry.getFields() == null ? Map.of() : entry.getFields());
        fields.put("inbox", node);
        fields.put("entry", entry.getID().toString());
        fields.put("error", String.valueOf(e));
        cluster.outbox.deadLetter(fields);
    }

    private static String describe(String text) {
        try {
            return text == null ? "no message" : Forwarded.decode(text).describe();
        } catch (IOException e) {
            return "unreadable";
        }
    }

    /** Routes one entry of {@code node}'s inbox (see {@link #handle}). */
    private void route(String node, StreamEntry entry, Set<String> delivered, Drain drain) {
        String text = entry.getFields() == null ? null : entry.getFields().get("m");
        if (text == null) {
            if (drain == null && entry.getFields() != null) {
                marker(entry);
            }
            return; // a marker, or deleted from the stream meanwhile (trimmed)
        }
        Forwarded message;
        try {
            message = Forwarded.decode(text);
        } catch (IOException e) {
            log.error("cluster: inbox entry {} of {} is unreadable ({}); skipped", entry.getID(), node,
                    e.getMessage());
            return;
        }
        if (TEST_POISON_TOPIC != null && message.publish().topic().startsWith(TEST_POISON_TOPIC)) {
            throw new IllegalStateException("test hook: routing " + message.describe() + " fails");
        }
        String only = entry.getFields().get(ONLY);
        if (drain != null) {
            drain.route(entry.getID(), message, only == null ? null : Set.of(only.split(ONLY_SEPARATOR)));
        } else if (only != null) {
            // handed on (by a janitor, or by a node that released them) for sessions that moved here: theirs
            // only, whatever the seen-set says; passed on again if they were released here meanwhile
            boolean aside = entry.getFields().containsKey(SET_ASIDE);
            synchronized (routing) {
                Set<String> here = new HashSet<>();
                for (String client : only.split(ONLY_SEPARATOR)) {
                    RedisCluster.SetAside state = aside ? cluster.setAsideState(client, message.msgId()) : null;
                    Held held = aside ? holding.get(client) : null;
                    // set aside here for a session that has left since (or whose setting aside ended before its
                    // read-back while it left): it goes where the session lives now
                    boolean leftHere = aside && (state != null ? state.left : !cluster.host.knows(client));
                    if (handOn(entry.getID(), client) || leftHere) {
                        cluster.outbox.handOn(message, client);
                    } else if (held != null) {
                        // set aside here for a session still waiting for its old node's hand-ons: after them
                        held.messages().put(entry.getID(), message);
                        heldIds.add(entry.getID());
                        provisional.add(entry.getID());
                    } else {
                        here.add(client);
                    }
                    if (state != null) {
                        readBack.add(Map.entry(client, message.msgId()));
                    }
                }
                if (!here.isEmpty()) {
                    if (!aside) {
                        received.increment(); // a set-aside message was published here: not from another node
                    }
                    cluster.host.publishForwardedTo(message.originClientId(), message.publish(), here);
                }
                if (TRACE.isDebugEnabled()) {
                    TRACE.debug("inbox {} entry {} {} only {}{}: routed to {}", node, entry.getID(),
                            message.describe(), only.replace(ONLY_SEPARATOR, ","), aside ? " (set aside)" : "",
                            here);
                }
                lastRouted = entry.getID();
            }
        } else {
            String passedBy = entry.getFields().get(PASSED_BY);
            String passedFrom = entry.getFields().get(PASSED_FROM);
            synchronized (routing) {
                Set<String> except = new HashSet<>();
                StreamEntryID source = passedBy == null || passedBefore.isEmpty() ? null : entryId(passedFrom);
                if (source != null) {
                    passedBefore.forEach((client, moved) -> {
                        if (moved.node().equals(passedBy) && source.compareTo(moved.id()) < 0) {
                            except.add(client); // the node it left delivered it, or handed it on
                        }
                    });
                }
                arriving.forEach((client, arrival) -> {
                    if (entry.getID().compareTo(arrival.id()) < 0 && reachedInbox(message, arrival.node())) {
                        except.add(client); // the node it came from had it before the move
                    }
                });
                away.forEach((client, to) -> {
                    if (to.reachedThere(message, client)) {
                        except.add(client); // its new node has it after the move
                    }
                });
                reachedBefore.forEach((client, reached) -> {
                    if (reached.window().contains(message.msgId())) {
                        except.add(client); // the node it came from delivered it there
                    }
                });
                List<String> heldFor = new ArrayList<>();
                // a message with a share group placed here is not held: a held member would be chosen and skipped
                if (!message.shares().containsValue(cluster.me)) {
                    holding.forEach((client, held) -> {
                        // any node's: what the old node has not routed yet, or hands on, comes first
                        if (!except.contains(client) && concerns(client, message)) {
                            except.add(client);
                            heldFor.add(client);
                        }
                    });
                }
                Set<String> handedOn = new HashSet<>();
                Set<String> passedOn = new HashSet<>();
                // not while replaying what an earlier run of this node read: it no longer knows which sessions moved
                boolean routed = deliver(message, delivered, node, except, passedOn,
                        node.equals(cluster.me) && !replayingEarlierRun ? entry.getID() : null);
                if (routed && !heldFor.isEmpty()) {
                    heldFor.forEach(client -> holding.get(client).messages().put(entry.getID(), message));
                    heldIds.add(entry.getID());
                    provisional.add(entry.getID());
                }
                if (routed && !message.sharesOnly()) {
                    for (String client : released.keySet()) {
                        // also when it was just passed on to its new node: that copy is left out for it there
                        if (!except.contains(client) && handOn(entry.getID(), client)) {
                            cluster.outbox.handOn(message, client);
                            handedOn.add(client);
                        }
                    }
                    for (String client : gone.keySet()) {
                        if (!except.contains(client) && missedThere(message, client, passedOn)) {
                            cluster.outbox.handOn(message, client);
                            handedOn.add(client);
                        }
                    }
                }
                if (TRACE.isDebugEnabled()) {
                    TRACE.debug("inbox {} entry {} {}: {}, left out for {}, handed on for {}, held for {}", node,
                            entry.getID(), message.describe(), routed ? "routed" : "seen before", except, handedOn,
                            heldFor);
                }
                lastRouted = entry.getID();
            }
        }

    }

    /**
     * Whether {@code message} went through {@code node}'s inbox. Not when {@code node} published it: it routed
     * it locally then, which reached a moving session only if it was loaded there at that moment.
     */
    private static boolean reachedInbox(Forwarded message, String node) {
        return message.covered().contains(node) && !message.msgId().startsWith(node + ":");
    }

    /** A move marker read from this node's inbox (under {@link #routing} with the entries around it). */
    private void marker(StreamEntry entry) {
        Map<String, String> fields = entry.getFields();
        TRACE.debug("inbox {} marker {} {}", cluster.me, entry.getID(), fields);
        synchronized (routing) {
            String left = fields.get("moved");
            String came = fields.get("arrived");
            if (left != null) {
                StreamEntryID until = released.get(left);
                if (until != null && until.compareTo(entry.getID()) <= 0) {
                    released.remove(left);
                }
                if (fields.get("to") != null) {
                    away.put(left, new Away(fields.get("to"), fields.get("pub")));
                }
            } else if (came != null) {
                awaitArrival(came, entry.getID());
                away.remove(came);
                gone.remove(came);
                Marker arrival = arriving.get(came);
                if (arrival != null && arrival.id().compareTo(entry.getID()) <= 0) {
                    arriving.remove(came);
                }
            } else if (fields.get("ended") != null) {
                forget(fields.get("ended"), entry.getID());
            }
            lastRouted = entry.getID();
        }
    }

    /**
     * The session of {@code clientId} ended cluster-wide ({@link Scripts#END}; {@code at}: its {@code ended} marker
     * here): what this node remembered of its moves up to that marker is dropped, so these maps do not grow with
     * every client that ever moved. A later session of that id that moved here or away meanwhile keeps its entries
     * (their markers come after this one). Under {@link #routing}.
     */
    private void forget(String clientId, StreamEntryID at) {
        List<String> dropped = new ArrayList<>();
        if (away.remove(clientId) != null) {
            dropped.add("away"); // set only by a moved marker, which precedes this one
        }
        Gone left = gone.get(clientId);
        if (left != null && left.marker().compareTo(at) < 0) {
            gone.remove(clientId);
            dropped.add("gone");
        }
        StreamEntryID until = released.get(clientId);
        if (until != null && until.compareTo(at) < 0) {
            released.remove(clientId);
            dropped.add("released");
        }
        Reached reached = reachedBefore.get(clientId);
        if (reached != null && (reached.arrival() == null || reached.arrival().compareTo(at) < 0)) {
            reachedBefore.remove(clientId);
            dropped.add("reachedBefore");
        }
        if (!cluster.host.knows(clientId) && passedBefore.remove(clientId) != null) {
            dropped.add("passedBefore"); // not when a later session of that id has moved here since
        }
        TRACE.debug("inbox {} ended {} (marker {}): forgot {}", cluster.me, clientId, at, dropped);
    }

    /** The session of {@code clientId} ended on this node: what this node remembered of its arrival here. */
    void ended(String clientId) {
        synchronized (routing) {
            if (reachedBefore.remove(clientId) != null) {
                TRACE.debug("ended {} here: forgot reachedBefore", clientId);
            }
        }
    }

    /**
     * Entries of the maps of moved sessions (what {@link #forget} and {@link #ended} bound; a session can be in
     * more than one). Read without {@link #routing}, which a release holds for up to the takeover timeout: a
     * gauge may lag.
     */
    int movesRemembered() {
        return away.size() + gone.size() + released.size() + reachedBefore.size() + passedBefore.size();
    }

    /** Inbox entries held for arriving sessions and not acknowledged yet (read as {@link #movesRemembered}). */
    int held() {
        return heldIds.size();
    }

    /**
     * Whether a message of the node {@code clientId} is arriving from could concern it: one of its filters matches
     * the topic, or the message names it (its publishing node had not loaded it). Its subscriptions are the ones
     * loaded here; they do not change until its CONNACK, which waits for the old node's answer.
     */
    private boolean concerns(String clientId, Forwarded message) {
        return message.notReached().contains(clientId) || cluster.host.subscribes(clientId, message.publish().topic());
    }

    /**
     * This inbox read the {@code arrived} marker ({@code at}) of a session this node is taking over and has not
     * loaded yet (the registry script has returned, the load has not happened): waits for the load (the control
     * thread is on its way to {@link #arrived}, a few ms), so that the entries after the marker are routed with
     * the session known, and those held for it are never acknowledged before they are settled. Under
     * {@link #routing}, which the wait gives up. Bounded by the takeover timeout: after that the entries are
     * routed as before and {@link #arrived} hands them to the session (none held).
     */
    private void awaitArrival(String clientId, StreamEntryID at) {
        long deadline = System.currentTimeMillis() + cluster.settings.takeoverTimeoutMillis();
        while (cluster.isArriving(clientId)) {
            Marker arrival = arriving.get(clientId);
            if (arrival != null && arrival.id().equals(at)) {
                return;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                log.warn("cluster: {} was not loaded within {} ms of its arrival marker {}; routing on", clientId,
                        cluster.settings.takeoverTimeoutMillis(), at);
                return;
            }
            try {
                routing.wait(Math.min(left, 5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Whether {@code message}, read after {@code clientId}'s {@code moved} marker once it was let go here, did not reach
     * it at the node it went to, so it is handed on: that node published it before it had loaded the session (it says
     * so, or it was numbered before the move), or another node sent it here and not there (it had not heard of the
     * new node's route yet) on a topic the session subscribed to, and this node did not pass it on there either
     * ({@code passedOn}: it knows that route by now).
     */
    private boolean missedThere(Forwarded message, String clientId, Set<String> passedOn) {
        Away to = away.get(clientId);
        Gone left = gone.get(clientId);
        if (to == null || left == null || to.reachedThere(message, clientId)) {
            return false;
        }
        if (!message.msgId().startsWith(to.node() + ":")) {
            String topic = message.publish().topic();
            return !message.covered().contains(to.node()) && !passedOn.contains(to.node())
                    && left.filters().stream().anyMatch(filter -> TopicMatcher.matches(filter, topic));
        }
        boolean beforeTheMove = to.publishedUpTo() != null && numbered(message.msgId(), to.publishedUpTo()) <= 0;
        if (!message.notReached().contains(clientId) && !beforeTheMove) {
            return false;
        }
        String loadedThere = left.loadedThere();
        return loadedThere.isEmpty() || !loadedThere.startsWith(to.node() + ":")
                || numbered(message.msgId(), loadedThere) <= 0;
    }

    /**
     * Where {@code msgId} stands against {@code mark} (both node:incarnation:sequence): negative, zero or positive
     * when the same node process published it before, at or after the mark; {@link Integer#MAX_VALUE} when another
     * node or an earlier run of it did.
     */
    static int numbered(String msgId, String mark) {
        int cut = mark.lastIndexOf(':');
        if (msgId.lastIndexOf(':') != cut || !msgId.regionMatches(0, mark, 0, cut + 1)) {
            return Integer.MAX_VALUE;
        }
        return Long.compare(Long.parseLong(msgId.substring(cut + 1)), Long.parseLong(mark.substring(cut + 1)));
    }

    /**
     * The node {@code clientId} came from let it go ({@code mark}: its last message routed while it held the
     * session; null when it did not say: it died, did not answer in time, or is of an earlier version). The
     * messages held meanwhile are delivered once this inbox has durably routed what it had at this answer (what
     * the old node handed on before it answered comes first: MQTT order per publisher), except those it published
     * up to the mark; the ones this inbox reads later from it up to the mark are left out too. Then this node's own
     * messages for the session stop being set aside ({@link RedisCluster#endSetAside}).
     */
    void releasedThere(String clientId, Window window) {
        StreamEntryID end = lastEntry();
        synchronized (routing) {
            if (holding.containsKey(clientId) && end != null
                    && (committedUpTo == null || committedUpTo.compareTo(end) < 0)) {
                releasing.put(clientId, new Releasing(window, end, System.currentTimeMillis()));
                TRACE.debug("{} let go by its old node in {}: held until this inbox has routed up to {}", clientId,
                        window, end);
                return;
            }
            try {
                settleHeld(clientId, window);
            } catch (RuntimeException e) {
                log.warn("cluster: messages held for {} not delivered yet ({}); again after the inbox's next batch",
                        clientId, e.toString());
                return;
            }
        }
        cluster.endSetAside(clientId, true, false);
    }

    /**
     * Delivers what was held for {@code clientId} as {@link #releasedThere} says, now. Under {@link #routing}. When that
     * fails, it stays held (its entries pending: their ids are in the seen-set, so a replay would not route them) and
     * {@link #releasing}, for the next batch to try again, and this throws.
     */
    private void settleHeld(String clientId, Window window) {
        Releasing release = releasing.remove(clientId);
        Held held = holding.remove(clientId);
        if (held == null) {
            return;
        }
        if (window != null) {
            reachedBefore.put(clientId, new Reached(window, held.arrival()));
        }
        List<String> delivered = new ArrayList<>();
        try {
            settle(held, () -> inPublishingOrder(held.messages()).forEach(message -> {
                if (window == null || !window.contains(message.msgId())) {
                    cluster.host.publishForwardedTo(message.originClientId(), message.publish(), Set.of(clientId));
                    delivered.add(message.msgId());
                }
            }));
        } catch (RuntimeException e) {
            holding.put(clientId, held);
            heldIds.addAll(held.messages().keySet());
            releasing.put(clientId, new Releasing(window, release != null ? release.end() : new StreamEntryID(0, 0),
                    System.currentTimeMillis()));
            throw e;
        }
        // the old node's pass-ons from before the marker were all in this inbox before its answer (it routes what it
        // has before answering), and this inbox has routed past them: nothing more to leave out
        passedBefore.remove(clientId);
        TRACE.debug("{} let go by {} in {}: of {} held, delivered {}", clientId, held.node(), window,
                held.messages().size(), delivered);
    }

    /**
     * Held messages in inbox order, except that each publishing node's (node:incarnation) are put in the order it
     * numbered them, in the places its messages take: a message the old node passed on here (it read it late, and
     * knew this node's route by then) is in this inbox after the same publisher's later ones, which that publisher's
     * node sent here itself once it knew the route. A node numbers its messages in the order it routes them, so each
     * of its publishers' order is kept.
     */
    static List<Forwarded> inPublishingOrder(Map<StreamEntryID, Forwarded> held) {
        List<Forwarded> inInboxOrder = new ArrayList<>(new java.util.TreeMap<>(held).values());
        Map<String, List<Forwarded>> byOrigin = new HashMap<>();
        for (Forwarded message : inInboxOrder) {
            byOrigin.computeIfAbsent(origin(message.msgId()), o -> new ArrayList<>()).add(message);
        }
        Map<String, java.util.Iterator<Forwarded>> numbered = new HashMap<>();
        byOrigin.forEach((origin, messages) -> {
            messages.sort(java.util.Comparator.comparingLong(m -> sequence(m.msgId())));
            numbered.put(origin, messages.iterator());
        });
        List<Forwarded> result = new ArrayList<>(inInboxOrder.size());
        for (Forwarded message : inInboxOrder) {
            result.add(numbered.get(origin(message.msgId())).next());
        }
        return result;
    }

    private static String origin(String msgId) {
        return msgId.substring(0, Math.max(0, msgId.lastIndexOf(':')));
    }

    private static long sequence(String msgId) {
        try {
            return Long.parseLong(msgId.substring(msgId.lastIndexOf(':') + 1));
        } catch (NumberFormatException e) {
            return 0; // not numbered by this version: left where it is among its origin's
        }
    }

    /**
     * A batch of this inbox is durable: sessions {@link #releasing} whose old node's hand-ons are all routed now (or
     * that waited longer than the takeover timeout) get what was held for them; the set-aside messages it read back
     * are no longer waited for (setting aside ends once none is), nor those waited for too long.
     */
    private void afterBatch(List<StreamEntry> batch) {
        List<String> ready = new ArrayList<>();
        synchronized (routing) {
            if (!batch.isEmpty()) {
                committed(batch.get(batch.size() - 1).getID());
            }
            readBack.forEach(read -> cluster.readBack(read.getKey(), read.getValue()));
            readBack.clear();
            long stale = System.currentTimeMillis() - cluster.settings.takeoverTimeoutMillis();
            releasing.forEach((client, release) -> {
                if (committedUpTo != null && committedUpTo.compareTo(release.end()) >= 0 || release.since() < stale) {
                    ready.add(client);
                }
            });
            for (java.util.Iterator<String> it = ready.iterator(); it.hasNext(); ) {
                String client = it.next();
                try {
                    settleHeld(client, releasing.get(client).window());
                } catch (RuntimeException e) {
                    it.remove();
                    log.warn("cluster: messages held for {} not delivered yet ({}); again after the next batch", client,
                            e.toString());
                }
            }
        }
        ready.forEach(client -> cluster.endSetAside(client, true, false));
        cluster.endSetAsides(this::caughtUp);
    }

    /** Under {@link #routing}. */
    private void committed(StreamEntryID upTo) {
        if (committedUpTo == null || committedUpTo.compareTo(upTo) < 0) {
            committedUpTo = upTo;
            routing.notifyAll();
        }
    }

    /**
     * This inbox has routed again what it had read before a restart and never acknowledged: every entry up to the
     * group's last delivered one is routed (or held).
     */
    private void caughtUpWithPending() {
        replayingEarlierRun = false;
        try {
            StreamEntryID delivered = cluster.redis(j -> j.xinfoGroups(Keys.inbox(cluster.me))).stream()
                    .filter(group -> Keys.GROUP.equals(group.getName())).map(group -> group.getLastDeliveredId())
                    .findFirst().orElse(null);
            if (delivered != null) {
                synchronized (routing) {
                    committed(delivered);
                }
            }
        } catch (RuntimeException e) {
            log.debug("cluster: inbox group not read: {}", e.toString());
        }
    }

    /** Whether this inbox has durably routed every entry it has now. */
    private boolean caughtUp() {
        StreamEntryID end = lastEntry();
        synchronized (routing) {
            return end != null && committedUpTo != null && committedUpTo.compareTo(end) >= 0;
        }
    }

    /** {@code text} as a stream entry id; null when it is not one. */
    private static StreamEntryID entryId(String text) {
        try {
            return text == null ? null : new StreamEntryID(text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** This inbox's last entry (null when empty, or when Redis does not answer). */
    private StreamEntryID lastEntry() {
        try {
            List<StreamEntry> last = cluster.redis(j -> j.xrevrange(Keys.inbox(cluster.me), "+", "-", 1));
            return last.isEmpty() ? null : last.get(0).getID();
        } catch (RuntimeException e) {
            log.debug("cluster: last inbox entry not read: {}", e.toString());
            return null;
        }
    }

    /**
     * Waits, up to {@code millis}, until this inbox has durably routed every entry it holds now: a session let go
     * here has then got, or had handed on, everything this inbox had for it before the answer (see
     * {@link RedisCluster#routeLocally} for why the new node needs that).
     */
    void awaitRoutedUpToNow(long millis) {
        StreamEntryID end = lastEntry();
        if (end == null) {
            return;
        }
        long deadline = System.currentTimeMillis() + millis;
        synchronized (routing) {
            while (committedUpTo == null || committedUpTo.compareTo(end) < 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    log.warn("cluster: the inbox has not routed up to {} within {} ms (at {}); answering anyway", end,
                            millis, committedUpTo);
                    return;
                }
                try {
                    routing.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Runs {@code deliver} (what becomes of held entries) and acknowledges those entries, in one store unit when
     * the outbox can join it; under {@link #routing}. A failure leaves them pending (the janitor's, should this
     * node die; this node's own again after a restart).
     */
    private void settle(Held held, Runnable deliver) {
        // an entry of a batch not durable yet is acknowledged by that batch (see provisional)
        StreamEntryID[] ids = held.messages().keySet().stream().filter(id -> !provisional.contains(id))
                .toArray(StreamEntryID[]::new);
        try {
            List<Runnable> heapWrites = new ArrayList<>();
            writeThenAck(cluster.me, deliver, () -> ids, heapWrites);
            heapWrites.forEach(Runnable::run);
        } finally {
            // failed: the entries stay pending, routed again when this inbox next replays its pending list (or by
            // the janitor): twice at worst, never stuck as held for a session that no longer waits
            heldIds.removeAll(held.messages().keySet());
        }
    }

    /** Delivers whatever is held for {@code clientId} (nobody said what reached it elsewhere: twice at worst). */
    private void deliverHeld(String clientId) {
        if (holding.containsKey(clientId)) {
            settleHeld(clientId, null);
        }
    }

    /** Whether an entry this inbox reads is to be handed on for {@code clientId}: released here, marker not reached. */
    private boolean handOn(StreamEntryID id, String clientId) {
        StreamEntryID until = released.get(clientId);
        return until != null && id.compareTo(until) < 0;
    }

    /**
     * Another node took {@code clientId}: {@code release} lets it go here. Entries this inbox reads afterwards
     * and before the session's {@code moved} marker were this node's to deliver: they are handed on to the
     * session's owner (see {@link Scripts#HAND_ON}). The release runs under the routing lock, so every entry
     * is either routed while the session is known here or handed on.
     */
    void released(String clientId, Runnable release) {
        String marker = cluster.redis(j -> j.hget(Keys.moved(cluster.me), clientId));
        List<String> owner = cluster.redis(j -> j.hmget(Keys.owner(clientId), "node", "loaded"));
        List<String> filters = cluster.host.plainFilters(clientId);
        synchronized (routing) {
            release.run();
            cluster.leftWhileSetAside(clientId);
            // passedBefore stays: a pass-on read after the session moved on is handed on, or left out, as before
            arriving.remove(clientId);
            reachedBefore.remove(clientId);
            releasing.remove(clientId);
            Held held = holding.remove(clientId);
            StreamEntryID until = marker == null ? null : new StreamEntryID(marker);
            if (until != null) {
                gone.put(clientId, new Gone(until, owner.get(0) == null ? "" : owner.get(0),
                        owner.get(1) == null ? "" : owner.get(1), filters));
            }
            if (until != null && (lastRouted == null || lastRouted.compareTo(until) < 0)) {
                released.put(clientId, until);
            }
            TRACE.debug("released {}: its moved marker {}, inbox routed up to {}", clientId, until, lastRouted);
            if (held != null) {
                // taken on before the node it came from said what it had delivered: handed on, at the risk of twice
                settle(held, () -> held.messages().values().forEach(message -> cluster.outbox.handOn(message, clientId)));
            }
        }
    }

    /**
     * A session arrives here from another node ({@code arrivedId}: the marker the registry script wrote in
     * this node's inbox; empty when it came from nowhere else): {@code load} makes it known here. Entries
     * of this inbox after the marker were meant for it too; those already routed before it was known are
     * routed to it now. And the sequence number reached by this node's own publishing is recorded: a
     * janitor hands on to it what this node published before it knew the session (see {@link Drain}).
     * {@code movedId}: the session's {@code moved} marker in the old node's inbox ("" when none), for
     * {@link #passedBefore}.
     */
    void arrived(String clientId, String arrivedId, String movedId, String cameFrom, boolean stillThere,
                 Runnable load) {
        if (arrivedId == null || arrivedId.isEmpty()) {
            synchronized (routing) {
                away.remove(clientId);
                gone.remove(clientId);
                released.remove(clientId);
                if (!holding.containsKey(clientId)) {
                    // a new session, not a reconnect here while a takeover of it still waits for its old node (the
                    // acquire script names no previous owner when it was this node): that one keeps what it holds
                    reachedBefore.remove(clientId);
                }
                cluster.loadArriving(clientId, load);
            }
            return;
        }
        StreamEntryID upTo;
        long published;
        synchronized (routing) {
            released.remove(clientId);
            gone.remove(clientId);
            reachedBefore.remove(clientId);
            deliverHeld(clientId); // what was held for it from an earlier move that has not settled
            if (movedId == null || movedId.isEmpty()) {
                passedBefore.remove(clientId);
            } else {
                passedBefore.put(clientId, new Marker(new StreamEntryID(movedId), cameFrom));
            }
            StreamEntryID marker = new StreamEntryID(arrivedId);
            if (stillThere) {
                holding.put(clientId, new Held(cameFrom, marker, new HashMap<>()));
            }
            if (lastRouted == null || lastRouted.compareTo(marker) < 0) {
                arriving.put(clientId, new Marker(marker, cameFrom));
            } else {
                away.remove(clientId); // this inbox read the marker already
            }
            // exclusive of this node's local routing: its messages numbered up to here did not reach the session
            published = cluster.loadArriving(clientId, load, stillThere);
            upTo = lastRouted;
            routing.notifyAll(); // an inbox waiting at the marker (awaitArrival) routes on
        }
        TRACE.debug("arrived {} from {} (marker {}): inbox routed up to {}, own publishing up to {}", clientId, cameFrom,
                arrivedId, upTo, published);
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
            String only = text == null ? null : entry.getFields().get(ONLY);
            if (text == null || entry.getID().equals(from)
                    || only != null && !List.of(only.split(ONLY_SEPARATOR)).contains(clientId)) {
                continue; // a hand-on for it (from the node it left) read before it was known here is routed now
            }
            try {
                Forwarded message = Forwarded.decode(text);
                // not held even when its old node published it: the batch that routed it acknowledged it already, so
                // a held copy would be lost if this node died (delivered now: twice at worst). Only when the inbox
                // gave up waiting for this load (awaitArrival).
                cluster.host.publishForwardedTo(message.originClientId(), message.publish(), Set.of(clientId));
                TRACE.debug("arrived {}: entry {} {} routed before it was known, routed to it now", clientId,
                        entry.getID(), message.describe());
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
                    deliver(message, new HashSet<>(), node, Set.of());
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
                if (TRACE.isDebugEnabled()) {
                    TRACE.debug("drain {} entry {} {} for {} at {}", node, id, message.describe(), clients, owner);
                }
                if (owner.equals(cluster.me)) {
                    received.increment();
                    cluster.host.publishForwardedTo(message.originClientId(), message.publish(), clients);
                } else {
                    cluster.outbox.sendTo(message, owner, clients);
                }
            });
        }
    }

    /**
     * Routes a message read from {@code node}'s inbox (a dead node's when the janitor drains it: its share groups);
     * false for a message already delivered here (it came by two paths).
     */
    private boolean deliver(Forwarded message, Set<String> delivered, String node, Set<String> except) {
        return deliver(message, delivered, node, except, new HashSet<>(), null);
    }

    /**
     * As above; {@code passedOn} gets the nodes it was passed on to (see below), and a pass-on names {@code source},
     * the entry of this node's inbox it came from, when given.
     */
    private boolean deliver(Forwarded message, Set<String> delivered, String node, Set<String> except,
                            Set<String> passedOn, StreamEntryID source) {
        boolean duplicate;
        synchronized (seen) {
            duplicate = seen.containsKey(message.msgId());
        }
        if (duplicate || !delivered.add(message.msgId())) {
            duplicates.increment(); // it came by two paths (the sender's and a stale route's pass-on)
            return false;
        }
        received.increment();
        SharePlacement shares = new SharePlacement(node, message.shares(), true, !message.sharesOnly());
        // one subscriber slow to read is not a reason to slow the inbox: every session of this node shares it
        cluster.host.publishForwarded(message.originClientId(), message.publish(), shares, except);
        if (!shares.unserved().isEmpty()) {
            cluster.reshare(message, shares.unserved(), node);
        }
        if (message.sharesOnly()) {
            return true; // the plain subscribers of other nodes got the original
        }
        // a node that subscribed after the sender looked at its routes did not get it: pass it on
        Set<String> missing = cluster.routes.match(message.publish().topic());
        if (message.publish().retain()) {
            missing.addAll(cluster.liveNodes);
        }
        missing.removeAll(message.covered());
        missing.remove(cluster.me);
        if (!missing.isEmpty()) {
            passedOn.addAll(missing);
            Set<String> covered = new HashSet<>(message.covered());
            covered.addAll(missing);
            Forwarded passing = new Forwarded(message.msgId(), message.originClientId(), message.publish(), covered,
                    message.shares());
            if (source == null) {
                cluster.send(passing, missing);
            } else {
                cluster.outbox.passOn(passing, missing, source.toString());
                cluster.forwardedOut.add(missing.size());
            }
        }
        return true;
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
