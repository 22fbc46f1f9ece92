package io.volantmq.bench;

import io.netty.channel.Channel;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;

import java.util.HashMap;
import java.util.Map;

/**
 * The subscribing side of one connection: checks every message against its stream's sequence, records
 * latency and acknowledges (QoS 1: PUBACK; QoS 2: PUBREC, then PUBCOMP on PUBREL). Confined to the
 * channel's event loop; acknowledgements are written here and flushed once per read burst.
 *
 * <p>QoS 2 uses the receiver's "method B" of the spec (4.3.3): a message counts on its PUBLISH, and its
 * packet id stays taken until PUBREL. A new message under a packet id still taken is a broker bug
 * (a conforming client would drop it as a duplicate) and is counted as packet-id reuse; a resend of the
 * same message under it is a redelivery and is not counted twice.
 */
final class Receiver {
    private final Stream[] allStreams;
    private final int firstStream;
    private final SequenceTracker[] trackers;
    private final RunStats stats;
    /** QoS 2: packet id -> (stream, sequence) received and awaiting PUBREL. */
    private final Map<Integer, Long> awaitingRelease = new HashMap<>();

    private long packetIdReuse;
    private long redeliveries;
    private long unexpected;
    private long lastDeliveryNanos;

    Receiver(Stream[] allStreams, int firstStream, int streamCount, RunStats stats) {
        this.allStreams = allStreams;
        this.firstStream = firstStream;
        this.trackers = new SequenceTracker[streamCount];
        for (int i = 0; i < streamCount; i++) {
            trackers[i] = new SequenceTracker();
        }
        this.stats = stats;
    }

    void onPublish(Publish publish, Channel channel) {
        long now = System.nanoTime();
        byte[] payload = publish.payload();
        int qos = publish.qos();
        if (qos > 0 && publish.packetId() != 0) {
            channel.write(PubReply.of(qos == 1 ? PacketType.PUBACK : PacketType.PUBREC, publish.packetId()),
                    channel.voidPromise());
        }
        if (!BenchPayload.readable(payload)) {
            unexpected++;
            return;
        }
        int streamId = BenchPayload.streamId(payload);
        long seq = BenchPayload.seq(payload);
        int index = streamId - firstStream;
        if (index < 0 || index >= trackers.length || seq < 0) {
            unexpected++;
            return;
        }
        if (qos == 2) {
            Long key = (long) streamId << 40 | seq;
            Long previous = awaitingRelease.put(publish.packetId(), key);
            if (previous != null) {
                if (previous.equals(key)) {
                    redeliveries++;
                    return;
                }
                packetIdReuse++;
            }
        }
        lastDeliveryNanos = now;
        stats.delivered.increment();
        if (trackers[index].accept(seq)) {
            stats.distinctDelivered.increment();
        }
        if (now >= stats.measureStartNanos) {
            stats.measuredDelivered.increment();
            stats.latency.record(now - BenchPayload.sentNanos(payload));
        }
        allStreams[streamId].deliveredOne();
    }

    void onPubRel(PubReply pubRel, Channel channel) {
        awaitingRelease.remove(pubRel.packetId());
        channel.write(PubReply.of(PacketType.PUBCOMP, pubRel.packetId()), channel.voidPromise());
    }

    /** Sums this receiver's bookkeeping into {@code totals}; call on the event loop once publishing ended. */
    void addTo(Correctness totals) {
        for (int i = 0; i < trackers.length; i++) {
            SequenceTracker tracker = trackers[i];
            totals.lost += tracker.lost(allStreams[firstStream + i].sent());
            totals.duplicated += tracker.duplicates();
            totals.outOfOrder += tracker.outOfOrder();
        }
        totals.packetIdReuse += packetIdReuse;
        totals.redeliveries += redeliveries;
        totals.unexpected += unexpected;
        totals.lastDeliveryNanos = Math.max(totals.lastDeliveryNanos, lastDeliveryNanos);
    }

    /** Correctness over all receivers (filled on one thread, read after). */
    static final class Correctness {
        long lost;
        long duplicated;
        long outOfOrder;
        long packetIdReuse;
        long redeliveries;
        long unexpected;
        long unexpectedAcks;
        long rejected;
        long lastDeliveryNanos;
    }
}
