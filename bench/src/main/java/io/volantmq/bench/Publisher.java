package io.volantmq.bench;

import io.netty.channel.Channel;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The publishing side of one connection: sends its streams round robin as fast as four limits allow -
 * channel writability (no unbounded socket buffering), the QoS 1/2 inflight window, the end-to-end
 * window and the fixed rate. Everything but {@link #wake()} and {@link #waitingForWindow()} runs on the
 * channel's event loop.
 */
final class Publisher {
    /** Messages written per turn before yielding the loop to reads. */
    private static final int BATCH = 64;
    private static final byte FREE = 0;
    private static final byte AWAITING_ACK = 1;
    private static final byte AWAITING_COMP = 2;

    private final Stream[] streams;
    private final int qos;
    private final int window;
    private final double ratePerStream;
    private final RunStats stats;
    private final byte[] payload;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private volatile boolean waitingForWindow;

    private Channel channel;
    private byte[] packetIds;
    private int nextPacketId = 1;
    private int inflight;
    private int maxInflight;
    private int cursor;
    private boolean running;
    private long startNanos;
    private long unexpectedAcks;
    private long rejected;

    Publisher(Stream[] streams, BenchConfig config, double ratePerStream, RunStats stats) {
        this.streams = streams;
        this.qos = config.qos();
        this.window = config.window();
        this.ratePerStream = ratePerStream;
        this.stats = stats;
        this.payload = new byte[config.payloadSize()];
        this.maxInflight = config.inflight();
        for (Stream s : streams) {
            s.owner(this);
        }
    }

    /** Event loop: the broker's CONNACK allowed at most this many unacknowledged QoS 1/2 messages. */
    void limitInflight(int receiveMaximum) {
        maxInflight = Math.min(maxInflight, receiveMaximum);
    }

    /** Event loop: begin publishing; {@code startNanos} anchors the fixed rate's schedule. */
    void start(Channel channel, long startNanos) {
        this.channel = channel;
        this.startNanos = startNanos;
        this.packetIds = qos > 0 ? new byte[65536] : null;
        this.running = true;
        pump();
    }

    /** Event loop: send no new message (acknowledgements of sent ones are still handled). */
    void stop() {
        running = false;
    }

    boolean waitingForWindow() {
        return waitingForWindow;
    }

    /** Any thread: run {@link #pump()} soon on the event loop (at most one queued at a time). */
    void wake() {
        Channel ch = channel;
        if (ch != null && wakeQueued.compareAndSet(false, true)) {
            ch.eventLoop().execute(() -> {
                wakeQueued.set(false);
                pump();
            });
        }
    }

    /** Event loop: write as many messages as the limits allow, then flush once. */
    void pump() {
        if (!running) {
            return;
        }
        assert channel.eventLoop().inEventLoop();
        long now = ratePerStream > 0 ? System.nanoTime() : 0;
        int written = 0;
        while (written < BATCH && channel.isWritable() && (qos == 0 || inflight < maxInflight)) {
            Stream stream = nextSendable(now);
            if (stream == null) {
                break;
            }
            send(stream);
            written++;
        }
        if (written > 0) {
            channel.flush();
        }
        if (written == BATCH) {
            wake(); // more to send: continue after the loop has read what arrived meanwhile
        }
    }

    private Stream nextSendable(long now) {
        boolean windowFull = false;
        for (int tried = 0; tried < streams.length; tried++) {
            Stream stream = streams[cursor];
            cursor = cursor + 1 == streams.length ? 0 : cursor + 1;
            long sent = stream.sent();
            if (sent >= stream.quota || ratePerStream > 0 && sent >= dueBy(now)) {
                continue;
            }
            if (window > 0 && stream.inFlightEndToEnd() >= window) {
                windowFull = true;
                continue;
            }
            return stream;
        }
        if (windowFull) {
            // announce the wait, then look again: a delivery between the check and the flag would
            // otherwise not wake us (the subscriber reads the flag after counting)
            waitingForWindow = true;
            for (Stream stream : streams) {
                long sent = stream.sent();
                if (sent < stream.quota && stream.inFlightEndToEnd() < window
                        && (ratePerStream == 0 || sent < dueBy(now))) {
                    waitingForWindow = false;
                    return stream;
                }
            }
        } else {
            waitingForWindow = false;
        }
        return null;
    }

    /** Messages of a stream due by {@code now} at the fixed rate: message n is due at start + n / rate. */
    private long dueBy(long now) {
        return (long) ((now - startNanos) * ratePerStream / 1e9) + 1;
    }

    /** The time message {@code seq} was due at the fixed rate. */
    private long scheduledAt(long seq) {
        return startNanos + (long) (seq * 1e9 / ratePerStream);
    }

    private void send(Stream stream) {
        long seq = stream.sent();
        // at a fixed rate, latency counts from when the message was due, so a publisher that falls
        // behind shows up as latency instead of hiding it (no coordinated omission)
        long stamp = ratePerStream > 0 ? scheduledAt(seq) : System.nanoTime();
        BenchPayload.write(payload, stream.id, seq, stamp);
        int packetId = 0;
        if (qos > 0) {
            packetId = allocatePacketId();
            packetIds[packetId] = AWAITING_ACK;
            inflight++;
        }
        // the encoder runs synchronously on this loop, so the payload array can be reused right away
        channel.write(new Publish(stream.topic, qos, false, false, packetId, payload, Properties.EMPTY),
                channel.voidPromise());
        stream.sentOne();
        stats.sent.increment();
        if (stamp >= stats.measureStartNanos) {
            stats.measuredSent.increment();
        }
    }

    private int allocatePacketId() {
        while (packetIds[nextPacketId] != FREE) {
            nextPacketId = nextPacketId == 65535 ? 1 : nextPacketId + 1;
        }
        int id = nextPacketId;
        nextPacketId = nextPacketId == 65535 ? 1 : nextPacketId + 1;
        return id;
    }

    /** Event loop: PUBACK, PUBREC or PUBCOMP for one of our messages. */
    void onReply(PubReply reply) {
        int id = reply.packetId();
        byte state = packetIds == null ? FREE : packetIds[id];
        PacketType type = reply.type();
        if (type == PacketType.PUBACK && state == AWAITING_ACK && qos == 1
                || type == PacketType.PUBCOMP && state == AWAITING_COMP) {
            complete(id, reply.reasonCode());
        } else if (type == PacketType.PUBREC && state == AWAITING_ACK && qos == 2) {
            if (reply.reasonCode() >= ReasonCode.UNSPECIFIED_ERROR) {
                complete(id, reply.reasonCode()); // a failed PUBREC ends the flow [MQTT-4.3.3]
            } else {
                packetIds[id] = AWAITING_COMP;
                channel.write(PubReply.of(PacketType.PUBREL, id), channel.voidPromise());
            }
        } else {
            unexpectedAcks++;
        }
    }

    private void complete(int packetId, int reasonCode) {
        packetIds[packetId] = FREE;
        inflight--;
        stats.acked.increment();
        if (reasonCode >= ReasonCode.UNSPECIFIED_ERROR) {
            rejected++;
        }
    }

    /** Event loop: QoS 1/2 messages not yet acknowledged. */
    int inflight() {
        return inflight;
    }

    /** Event loop: acknowledgements for packet ids we had not used or in the wrong state. */
    long unexpectedAcks() {
        return unexpectedAcks;
    }

    /** Event loop: publishes the broker refused with a reason code of 0x80 or more (MQTT 5). */
    long rejected() {
        return rejected;
    }

    Stream[] streams() {
        return streams;
    }

    Channel channel() {
        return channel;
    }
}
