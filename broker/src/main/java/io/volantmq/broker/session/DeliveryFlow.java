package io.volantmq.broker.session;

import io.volantmq.broker.LogSafe;
import io.netty.channel.EventLoop;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.codec.SharedPublish;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.store.MessagePropertiesCodec;
import io.volantmq.broker.routing.Router;
import io.volantmq.broker.routing.SharedSubscriptions;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueuedMessage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound side of a session (the inbound side is {@link PublishFlow}): messages from the store
 * queue to the client, packet-id allocation, the inflight window (the client's Receive Maximum, capped
 * by {@code maxInflight}), PUBACK / PUBREC / PUBREL / PUBCOMP for what the broker sent, re-sending with
 * DUP on resume [MQTT-4.4.0-1], QoS 2 written only once durable, and handing unacknowledged
 * shared-subscription messages to another member.
 *
 * <p>Store calls per delivered QoS 1 message: a share of one queue read ({@value #READ_BATCH} entries at a
 * time, up to {@value #MAX_READ_BATCH} while the queue stays deep, kept in {@code readAhead} until the window
 * has room; with store lanes the read runs on a store reader thread, the next one begun while the window
 * still drains the last, so the event loop never waits for a disk or a round trip) and
 * a share of one {@link MessageStore#removeAll} on the client's store lane when the broker has lanes
 * (the PUBACKs of one socket read are removed together; the lane need not sync for them). The SENT state of a QoS 1 entry is written only when the connection
 * detaches with it unacknowledged, so a resumed session re-sends it with DUP and the same packet id
 * [MQTT-4.4.0-1]; after a crash such an entry is sent again as a new QoS 1 delivery (a duplicate,
 * which QoS 1 allows). QoS 2 states are written at once: they must be durable before the packet goes out.
 *
 * <p>Confinement: one per {@link Session}; every method except {@link #notifyQueued()} and
 * {@link #sendDirect} runs on the connection's event loop.
 */
final class DeliveryFlow {
    private static final Logger log = LoggerFactory.getLogger(DeliveryFlow.class);
    private static final int READ_BATCH = 64;
    /** Reads grow to this while each comes back full: a deep queue costs a round trip per 256, not per 64. */
    private static final int MAX_READ_BATCH = 256;
    private static final long[] NO_SEQS = new long[0];
    private static final VarHandle PUMP_SCHEDULED;

    static {
        try {
            PUMP_SCHEDULED = MethodHandles.lookup().findVarHandle(DeliveryFlow.class, "pumpScheduled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Session session;
    private final String clientId;
    private final MessageStore messages;
    /** The queue is on the heap: its changes need no store lane and no sync before a packet goes out. */
    private final boolean queuedInMemory;
    private final int maxInflight;
    private final MessagePropertiesCodec codec;
    private final AccessControl acl;
    private final BrokerMetrics metrics;
    /** A pump task is queued on the loop; a field and a VarHandle, not an AtomicBoolean (16 bytes a session). */
    private volatile boolean pumpScheduled;

    // owned by the connection's event loop
    private final PacketIdMap inflightByPacketId = new PacketIdMap();
    /** When each inflight PUBLISH was (last) sent, for members of share groups that stop acknowledging. */
    private final PacketIdMap sentAtByPacketId = new PacketIdMap();
    /** The seq of the last entry read from the store: {@link #readAhead} holds what came after it is sent. */
    private long cursor;
    /** Entries read and not yet sent (waiting for window room); null while empty. */
    private ArrayDeque<QueuedMessage> readAhead;
    /** QoS 1 deliveries (packet id to seq) whose SENT state is not in the store; written on detach. */
    private final PacketIdMap sentNotStored = new PacketIdMap();
    /** Seqs of acknowledged entries not yet removed from the store: removed together in {@link #removeAcked()}. */
    private long[] acked = NO_SEQS;
    private int ackedCount;
    /** Removals handed to the store lane and not yet done (the lane takes each out); null before the first. */
    private ConcurrentLinkedQueue<long[]> removing;
    private int nextPacketId = 1;
    private int window;
    /** Acknowledgements freed window room during this read; pump once when the read is done. */
    private boolean pumpAfterRead;
    /** Off the event loop: a queue read is running on a store reader thread; its entries come after {@link #cursor}. */
    private boolean reading;
    /** Something asked to pump while the read ran: an empty answer may be older than new entries. */
    private boolean pumpWhileReading;
    /** Counts attaches and detaches: a read begun under an older count is dropped. */
    private int readEpoch;
    /** Entries the next read asks for; grows while reads come back full. */
    private int readSize = READ_BATCH;
    /** The last read came back full: the queue likely holds more. */
    private boolean moreQueued;

    DeliveryFlow(Session session, MessageStore messages, boolean queuedInMemory, int maxInflight,
                 MessagePropertiesCodec codec, AccessControl acl, BrokerMetrics metrics) {
        this.session = session;
        this.clientId = session.clientId();
        this.messages = messages;
        this.queuedInMemory = queuedInMemory;
        this.maxInflight = maxInflight;
        this.codec = codec;
        this.acl = acl;
        this.metrics = metrics;
        this.window = maxInflight;
    }

    /** A connection attached: the window is the client's Receive Maximum, and the queue is read from its start. */
    void attach(int clientReceiveMaximum) {
        inflightByPacketId.clear();
        sentNotStored.clear();
        forgetReads();
        window = Math.min(maxInflight, clientReceiveMaximum);
    }

    /**
     * The connection detached: what was inflight is re-sent from the store on the next attach, so the
     * store gets the acknowledgements still held here and the packet ids of unacknowledged QoS 1
     * deliveries (their DUP re-send keeps the id). A failing store only costs duplicates: an entry
     * whose remove did not happen is sent again, one without its SENT state as a new QoS 1 delivery.
     */
    void detach() {
        try {
            removeAcked();
            if (removing != null) {
                // the lane may not have run them yet, and the next reader of the queue (a resumed session, the
                // share groups' redistribution) must not see them: removing twice is a no-op
                for (long[] seqs : removing) {
                    messages.removeAll(clientId, seqs, seqs.length);
                }
                removing.clear();
            }
            sentNotStored.forEach((packetId, seq) ->
                    messages.updateInflight(clientId, seq, packetId, InflightState.SENT));
        } catch (PersistenceException e) {
            log.warn("client {} detached while the store failed; some QoS 1 messages will be sent again: {}",
                    LogSafe.escape(clientId), e.getMessage());
        }
        sentNotStored.clear();
        inflightByPacketId.clear();
        forgetReads();
    }

    /** The queue is read from its start again; a read still running is dropped when it comes back. */
    private void forgetReads() {
        readAhead = null;
        cursor = 0;
        readEpoch++;
        reading = false;
        pumpWhileReading = false;
        readSize = READ_BATCH;
        moreQueued = false;
    }

    /**
     * PUBACK, PUBREC or PUBCOMP for a message the broker sent (from the connection's dispatch).
     */
    void onReply(MqttConnection c, PubReply reply) {
        if (reply.type() == PacketType.PUBREC) {
            PubReply pubRel = onPubRec(reply, c.version());
            if (pubRel != null) {
                writeWhenDurable(c, pubRel); // the RELEASED state must survive a crash first
            }
        } else {
            onDeliveryComplete(reply.packetId());
        }
    }

    /** Called from any thread after messages were queued for this session: pump on its loop. */
    void notifyQueued() {
        MqttConnection c = session.connection();
        if (c != null && PUMP_SCHEDULED.compareAndSet(this, false, true)) {
            c.eventLoop().execute(() -> {
                pumpScheduled = false;
                pump();
            });
        }
    }

    /** Sends a QoS 0 message that does not go through the queue; dropped when offline. Any thread. */
    boolean sendDirect(SharedPublish publish) {
        MqttConnection c = session.connection();
        if (c == null) {
            return false;
        }
        c.writeFromAnyThread(publish);
        return true;
    }

    /** Sends queued messages while the inflight window and the channel allow; retries later if the store fails. */
    void pump() {
        MqttConnection c = session.connection();
        if (c == null) {
            return;
        }
        try {
            pump(c);
        } catch (PersistenceException e) {
            log.warn("delivery to {} paused for a second: {}", LogSafe.escape(clientId), e.getMessage());
            retryPumpOn(c);
        }
    }

    /** Pumps again in a second on {@code c}'s loop, unless the session has moved to another connection meanwhile. */
    private void retryPumpOn(MqttConnection c) {
        if (c != null) {
            c.eventLoop().schedule(() -> {
                if (session.connection() == c) {
                    pump();
                }
            }, 1, TimeUnit.SECONDS);
        }
    }

    private void pump(MqttConnection c) {
        EventLoop loop = c.eventLoop();
        assert loop.inEventLoop();
        removeAcked(c); // before the read: a queue that was full has room again
        boolean wrote = false;
        long now = System.currentTimeMillis();
        Executor reader = queuedInMemory ? null : c.storeReader();
        while (c.writable() && inflightByPacketId.size() < window) {
            QueuedMessage entry = nextEntry(c, reader);
            if (entry == null) {
                break;
            }
            if (entry.state() == InflightState.QUEUED && entry.message().expired(now)) {
                messages.remove(clientId, entry.seq()); // MQTT 5 message expiry [MQTT-3.3.2-5]
                metrics.messageExpired();
            } else {
                wrote |= send(c, entry, now);
            }
            readAhead.poll(); // only once handled: a failing store leaves it for the retry
        }
        if (wrote) {
            c.flush();
        }
        if (reader != null && moreQueued && !reading && (readAhead == null || readAhead.size() <= readSize / 2)) {
            readOffLoop(c, reader); // the next batch is read while the window drains this one
        }
    }

    /**
     * The next entry to send, reading a batch from the store when none is left; null at the queue's end, or
     * while a read runs on {@code reader} (it pumps again when its entries are in). Null {@code reader}: the
     * read runs here, on the event loop.
     */
    private QueuedMessage nextEntry(MqttConnection c, Executor reader) {
        if (readAhead == null || readAhead.isEmpty()) {
            if (reader != null) {
                readOffLoop(c, reader);
                return null;
            }
            if (!take(messages.read(clientId, cursor, READ_BATCH), READ_BATCH)) {
                return null;
            }
        }
        return readAhead.peek();
    }

    /** Adds a read's entries after the cursor; false when it found none. */
    private boolean take(List<QueuedMessage> batch, int asked) {
        moreQueued = batch.size() >= asked;
        if (batch.isEmpty()) {
            return false;
        }
        if (readAhead == null) {
            readAhead = new ArrayDeque<>(batch.size());
        }
        readAhead.addAll(batch);
        cursor = batch.get(batch.size() - 1).seq();
        return true;
    }

    /** Begins a read of the entries after the cursor on a store reader thread; one at a time (event loop). */
    private void readOffLoop(MqttConnection c, Executor reader) {
        if (reading) {
            pumpWhileReading = true;
            return;
        }
        reading = true;
        pumpWhileReading = false;
        long after = cursor;
        int asked = readSize;
        int epoch = readEpoch;
        EventLoop loop = c.eventLoop();
        try {
            reader.execute(() -> {
                List<QueuedMessage> batch = null;
                RuntimeException failure = null;
                try {
                    batch = messages.read(clientId, after, asked);
                } catch (RuntimeException e) {
                    failure = e;
                }
                List<QueuedMessage> read = batch;
                RuntimeException failed = failure;
                try {
                    loop.execute(() -> readDone(epoch, asked, read, failed));
                } catch (RejectedExecutionException e) {
                    log.debug("the event loop of {} has shut down", LogSafe.escape(clientId), e); // broker stopping
                }
            });
        } catch (RejectedExecutionException e) {
            reading = false; // the broker is stopping
        }
    }

    /** A read's answer, on the event loop: its entries are queued for sending, and the window filled. */
    private void readDone(int epoch, int asked, List<QueuedMessage> batch, RuntimeException failure) {
        if (epoch != readEpoch) {
            return; // the connection detached meanwhile: the next one reads from the queue's start
        }
        reading = false;
        MqttConnection c = session.connection();
        if (failure != null) {
            log.warn("delivery to {} paused for a second: {}", LogSafe.escape(clientId), failure.toString());
            retryPumpOn(c);
            return;
        }
        boolean found = take(batch, asked);
        readSize = moreQueued ? Math.min(MAX_READ_BATCH, asked * 2) : READ_BATCH;
        if (found || pumpWhileReading) {
            pump();
        }
    }

    /**
     * Removes the acknowledged entries in one call on the client's store lane, so the event loop does not
     * wait for it (or at once without lanes). Later reads only look past these entries; a reader from the
     * start (the next attach) comes after {@link #detach()}, which makes sure they are gone.
     */
    private void removeAcked(MqttConnection c) {
        if (ackedCount == 0) {
            return;
        }
        Executor lane = c.storeWorkUnsynced();
        if (lane == MqttConnection.INLINE || queuedInMemory) {
            removeAcked();
            return;
        }
        long[] seqs = Arrays.copyOf(acked, ackedCount);
        ackedCount = 0;
        if (removing == null) {
            removing = new ConcurrentLinkedQueue<>();
        }
        removing.add(seqs);
        lane.execute(() -> {
            messages.removeAll(clientId, seqs, seqs.length);
            removing.remove(seqs);
        });
    }

    /** Removes the acknowledged entries from the store in one call; kept for the next try if the store fails. */
    private void removeAcked() {
        if (ackedCount > 0) {
            messages.removeAll(clientId, acked, ackedCount);
            ackedCount = 0;
        }
    }

    private boolean send(MqttConnection c, QueuedMessage entry, long now) {
        switch (entry.state()) {
            case QUEUED -> {
                if (!acl.mayReceive(session.identity(), entry.message().topic())) {
                    messages.remove(clientId, entry.seq()); // queued before the identity was known
                    metrics.messageDenied();
                    return false;
                }
                int packetId = entry.qos() == 0 ? 0 : peekPacketId();
                Publish publish = codec.toPublish(entry, entry.qos(), packetId, false, entry.retain(), now);
                if (!c.fitsClient(publish)) {
                    messages.remove(clientId, entry.seq()); // too large for the client [MQTT-3.1.2-25]
                    return false;
                }
                if (entry.qos() == 0) {
                    messages.remove(clientId, entry.seq());
                } else {
                    if (entry.qos() == 2) {
                        messages.updateInflight(clientId, entry.seq(), packetId, InflightState.SENT);
                    } else {
                        sentNotStored.put(packetId, entry.seq()); // written on detach, if still unacknowledged
                    }
                    takePacketId(packetId);
                    inflightByPacketId.put(packetId, entry.seq());
                    sentAtByPacketId.put(packetId, now);
                }
                write(c, entry, publish);
            }
            case SENT -> {
                inflightByPacketId.put(entry.packetId(), entry.seq());
                sentAtByPacketId.put(entry.packetId(), now);
                write(c, entry, codec.toPublish(entry, entry.qos(), entry.packetId(), true, entry.retain(), now));
            }
            case RELEASED -> {
                inflightByPacketId.put(entry.packetId(), entry.seq());
                write(c, entry, PubReply.of(PacketType.PUBREL, entry.packetId()));
            }
        }
        return true;
    }

    /**
     * QoS 2 packets go out only once the message and its packet id are durable: after a crash the
     * subscriber must see the same packet id again, or it would take the message as a new one.
     * A QoS 1 delivery may repeat after a crash anyway, so it goes out at once.
     */
    private void write(MqttConnection c, QueuedMessage entry, io.volantmq.broker.protocol.MqttMessage packet) {
        if (entry.qos() == 2) {
            writeWhenDurable(c, packet);
        } else {
            c.write(packet);
        }
    }

    /** A packet that confirms a queue change: on the heap nothing is synced, so it goes out at once. */
    private void writeWhenDurable(MqttConnection c, io.volantmq.broker.protocol.MqttMessage packet) {
        if (queuedInMemory) {
            c.write(packet);
        } else {
            c.writeWhenDurable(packet);
        }
    }

    /** The next free packet id, without taking it. The window is far below 65535, so one is always free. */
    private int peekPacketId() {
        int id = nextPacketId;
        while (inflightByPacketId.containsKey(id)) {
            id = id == 0xFFFF ? 1 : id + 1;
        }
        return id;
    }

    private void takePacketId(int id) {
        nextPacketId = id == 0xFFFF ? 1 : id + 1;
    }

    /**
     * PUBACK (QoS 1) or PUBCOMP (QoS 2): the message is delivered. The freed window is refilled in
     * {@link #pumpIfAcknowledged()} once the whole read is processed: one flush for many acks.
     */
    void onDeliveryComplete(int packetId) {
        sentAtByPacketId.remove(packetId);
        sentNotStored.remove(packetId);
        Long seq = inflightByPacketId.remove(packetId);
        if (seq != null) {
            if (ackedCount == acked.length) {
                acked = Arrays.copyOf(acked, Math.max(16, acked.length * 2));
            }
            acked[ackedCount++] = seq; // removed once the read is done, before the window is refilled
            pumpAfterRead = true;
        }
    }

    /** Called when a read batch is done: refills the window if acknowledgements freed room. */
    void pumpIfAcknowledged() {
        if (pumpAfterRead) {
            pumpAfterRead = false;
            pump();
        }
    }

    /** PUBREC: answer PUBREL and remember that we did. Returns the PUBREL to send, or null. */
    PubReply onPubRec(PubReply pubRec, ProtocolVersion version) {
        Long seq = inflightByPacketId.get(pubRec.packetId());
        if (seq == null) {
            int code = version.isV5() ? ReasonCode.PACKET_IDENTIFIER_NOT_FOUND : ReasonCode.SUCCESS;
            return new PubReply(PacketType.PUBREL, pubRec.packetId(), code, null);
        }
        if (ReasonCode.isError(pubRec.reasonCode())) {
            // MQTT 5: a PUBREC with an error code ends the flow; the message is not delivered
            onDeliveryComplete(pubRec.packetId());
            return null;
        }
        sentAtByPacketId.remove(pubRec.packetId()); // acknowledged receipt: it stays with this member
        messages.updateInflight(clientId, seq, pubRec.packetId(), InflightState.RELEASED);
        return PubReply.of(PacketType.PUBREL, pubRec.packetId());
    }

    /**
     * A member of share groups that has left messages unacknowledged for {@code timeoutMillis}
     * while staying connected: those that came through a shared subscription move to another
     * member. A late acknowledgement of a moved message is ignored. Runs on the session's loop.
     */
    void moveStaleShared(long nowMillis, long timeoutMillis, Router router) {
        if (session.connection() == null || sentAtByPacketId.isEmpty()) {
            return;
        }
        Map<String, SubscriptionOptions> shared = SharedSubscriptions.sharedOf(session.subscriptions());
        if (shared.isEmpty()) {
            return;
        }
        Set<Long> stale = new HashSet<>();
        List<Integer> staleIds = new java.util.ArrayList<>();
        sentAtByPacketId.forEach((packetId, sentAt) -> {
            if (nowMillis - sentAt >= timeoutMillis) {
                stale.add(inflightByPacketId.get(packetId));
                staleIds.add(packetId);
            }
        });
        if (stale.isEmpty()) {
            return;
        }
        Set<Long> moved = router.shared().redistribute(clientId, shared, stale);
        for (int packetId : staleIds) {
            if (moved.contains(inflightByPacketId.get(packetId))) {
                inflightByPacketId.remove(packetId);
                sentAtByPacketId.remove(packetId);
                sentNotStored.remove(packetId);
            }
        }
        if (!moved.isEmpty()) {
            log.info("client {} left {} shared-subscription messages unacknowledged for {} ms: moved to other members",
                    LogSafe.escape(clientId), moved.size(), timeoutMillis);
            pump();
        }
    }

    int inflightCount() {
        return inflightByPacketId.size();
    }
}
