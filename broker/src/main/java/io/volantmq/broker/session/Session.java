package io.volantmq.broker.session;

import io.netty.channel.EventLoop;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.routing.MessagePropertiesCodec;
import io.volantmq.broker.routing.Recipient;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueuedMessage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's session: its subscriptions, its outbound queue (kept in the store) and the inflight
 * window over it, and the inbound QoS 2 ids awaiting PUBREL.
 *
 * <p>Confinement: while connected, every method except {@link #notifyQueued()} and
 * {@link #sendDirect} runs on the connection's event loop. A session moves to another loop only
 * when a new connection attaches, after the old connection has fully detached.
 */
public final class Session implements Recipient {
    private static final int READ_BATCH = 64;

    private final String clientId;
    private final boolean persistent;
    private final MessageStore messages;
    private final int maxInflight;
    private final MessagePropertiesCodec codec;
    /** filter -> options; mirrors the subscription tree so the session can leave it cleanly. */
    private final Map<String, SubscriptionOptions> subscriptions = new LinkedHashMap<>();

    private volatile MqttConnection connection;
    private volatile ClientIdentity identity;
    private volatile int protocolLevel = ProtocolVersion.MQTT_3_1_1.level();
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();

    // owned by the connection's event loop
    private final Map<Integer, Long> inflightByPacketId = new LinkedHashMap<>();
    private final Set<Integer> incomingQos2 = new HashSet<>();
    private long cursor;
    private int nextPacketId = 1;

    Session(String clientId, boolean persistent, MessageStore messages, int maxInflight,
            MessagePropertiesCodec codec) {
        this.clientId = clientId;
        this.codec = codec;
        this.persistent = persistent;
        this.messages = messages;
        this.maxInflight = maxInflight;
    }

    public String clientId() {
        return clientId;
    }

    /** Survives disconnection (clean session 0). */
    @Override
    public boolean persistent() {
        return persistent;
    }

    @Override
    public boolean online() {
        return connection != null;
    }

    /** Protocol level of the last connection. */
    int protocolLevel() {
        return protocolLevel;
    }

    @Override
    public ClientIdentity identity() {
        return identity;
    }

    MqttConnection connection() {
        return connection;
    }

    Map<String, SubscriptionOptions> subscriptions() {
        return subscriptions;
    }

    /** Binds a new connection; the previous one (if any) has already detached. Runs on the new loop. */
    void attach(MqttConnection newConnection) {
        assert newConnection.eventLoop().inEventLoop();
        inflightByPacketId.clear();
        incomingQos2.clear();
        incomingQos2.addAll(messages.incomingQos2(clientId));
        cursor = 0;
        protocolLevel = newConnection.version().level();
        identity = newConnection.identity();
        connection = newConnection;
    }

    /** Unbinds {@code old} if it is still the session's connection; false when another took over. */
    boolean detach(MqttConnection old) {
        if (connection != old) {
            return false;
        }
        connection = null;
        inflightByPacketId.clear();
        return true;
    }

    /** Re-sends what was inflight (DUP) and continues with the queue [MQTT-4.4.0-1]. */
    void resume() {
        pump();
    }

    // ------------------------------------------------------------------ inbound QoS 2

    /** True if this QoS 2 packet id is new (route it); false for a re-sent PUBLISH before PUBREL. */
    boolean acceptIncomingQos2(int packetId) {
        if (!incomingQos2.add(packetId)) {
            return false;
        }
        if (persistent) {
            messages.addIncomingQos2(clientId, packetId);
        }
        return true;
    }

    /** PUBREL: forget the id; false if it was unknown. */
    boolean releaseIncomingQos2(int packetId) {
        boolean known = incomingQos2.remove(packetId);
        if (known && persistent) {
            messages.removeIncomingQos2(clientId, packetId);
        }
        return known;
    }

    // ------------------------------------------------------------------ outbound

    /** Called from any thread after messages were queued for this session: pump on its loop. */
    @Override
    public void notifyQueued() {
        MqttConnection c = connection;
        if (c != null && pumpScheduled.compareAndSet(false, true)) {
            c.eventLoop().execute(() -> {
                pumpScheduled.set(false);
                pump();
            });
        }
    }

    /** Sends a QoS 0 message that does not go through the queue; dropped when offline. Any thread. */
    @Override
    public boolean sendDirect(Publish publish) {
        MqttConnection c = connection;
        if (c == null) {
            return false;
        }
        c.writeFromAnyThread(publish);
        return true;
    }

    /** Sends queued messages while the inflight window and the channel allow. */
    void pump() {
        MqttConnection c = connection;
        if (c == null) {
            return;
        }
        EventLoop loop = c.eventLoop();
        assert loop.inEventLoop();
        boolean wrote = false;
        long now = System.currentTimeMillis();
        while (c.writable() && inflightByPacketId.size() < maxInflight) {
            List<QueuedMessage> batch = messages.read(clientId, cursor,
                    Math.min(READ_BATCH, maxInflight - inflightByPacketId.size()));
            if (batch.isEmpty()) {
                break;
            }
            for (QueuedMessage entry : batch) {
                cursor = entry.seq();
                if (entry.state() == InflightState.QUEUED && entry.message().expired(now)) {
                    messages.remove(clientId, entry.seq());
                    continue;
                }
                send(c, entry, now);
                wrote = true;
            }
        }
        if (wrote) {
            c.flush();
        }
    }

    private void send(MqttConnection c, QueuedMessage entry, long now) {
        switch (entry.state()) {
            case QUEUED -> {
                if (entry.qos() == 0) {
                    c.write(codec.toPublish(entry, 0, 0, false, entry.retain(), now));
                    messages.remove(clientId, entry.seq());
                    return;
                }
                int packetId = allocatePacketId();
                inflightByPacketId.put(packetId, entry.seq());
                messages.updateInflight(clientId, entry.seq(), packetId, InflightState.SENT);
                c.write(codec.toPublish(entry, entry.qos(), packetId, false, entry.retain(), now));
            }
            case SENT -> {
                inflightByPacketId.put(entry.packetId(), entry.seq());
                c.write(codec.toPublish(entry, entry.qos(), entry.packetId(), true, entry.retain(), now));
            }
            case RELEASED -> {
                inflightByPacketId.put(entry.packetId(), entry.seq());
                c.write(PubReply.of(PacketType.PUBREL, entry.packetId()));
            }
        }
    }

    private int allocatePacketId() {
        // the window is far below 65535, so a free id is always found
        while (true) {
            int id = nextPacketId;
            nextPacketId = id == 0xFFFF ? 1 : id + 1;
            if (!inflightByPacketId.containsKey(id)) {
                return id;
            }
        }
    }

    /** PUBACK (QoS 1) or PUBCOMP (QoS 2): the message is delivered. */
    void onDeliveryComplete(int packetId) {
        Long seq = inflightByPacketId.remove(packetId);
        if (seq != null) {
            messages.remove(clientId, seq);
            pump();
        }
    }

    /** PUBREC: answer PUBREL and remember that we did. Returns the PUBREL to send. */
    PubReply onPubRec(PubReply pubRec, ProtocolVersion version) {
        Long seq = inflightByPacketId.get(pubRec.packetId());
        if (seq == null) {
            int code = version.isV5() ? ReasonCode.PACKET_IDENTIFIER_NOT_FOUND : ReasonCode.SUCCESS;
            return new PubReply(PacketType.PUBREL, pubRec.packetId(), code, null);
        }
        if (ReasonCode.isError(pubRec.reasonCode())) {
            // MQTT 5: a PUBREC with an error ends the flow [MQTT-4.3.3-...]; the message is not delivered
            onDeliveryComplete(pubRec.packetId());
            return null;
        }
        messages.updateInflight(clientId, seq, pubRec.packetId(), InflightState.RELEASED);
        return PubReply.of(PacketType.PUBREL, pubRec.packetId());
    }

    int inflightCount() {
        return inflightByPacketId.size();
    }
}
