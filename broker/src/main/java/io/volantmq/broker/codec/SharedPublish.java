package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AbstractReferenceCounted;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One QoS 0 PUBLISH on its way to many connections: encoded at most once per wire format (3.x, 5.0),
 * on the first connection that needs it, and the bytes shared by every connection that sends them
 * ({@link #retainedPacket}). Reference counted: whoever hands it to another thread retains it first;
 * the last release frees the encoded bytes.
 *
 * <p>The shared bytes are read-only: a handler that appends to a buffer it was given (SslHandler
 * coalesces small writes that way) must not write into memory other connections read.
 */
public final class SharedPublish extends AbstractReferenceCounted {
    /** MQTT 3.1 and 3.1.1 write a PUBLISH alike; 5.0 adds the properties. */
    private static final int V3 = 0;
    private static final int V5 = 1;

    private final Publish publish;
    private final AtomicReferenceArray<ByteBuf> encoded = new AtomicReferenceArray<>(2);

    public SharedPublish(Publish publish) {
        this.publish = Objects.requireNonNull(publish, "publish");
        if (publish.qos() != 0) {
            throw new IllegalArgumentException("only a QoS 0 PUBLISH has the same bytes for every subscriber");
        }
    }

    public Publish publish() {
        return publish;
    }

    /**
     * The packet as {@code version} writes it, in a buffer of its own indices over the shared bytes;
     * the caller owns it (writing it hands it to the channel). Any thread.
     */
    public EncodedPublish retainedPacket(ProtocolVersion version, ByteBufAllocator allocator) {
        if (refCnt() == 0) {
            throw new IllegalStateException("released");
        }
        int slot = version.isV5() ? V5 : V3;
        ByteBuf bytes = encoded.get(slot);
        if (bytes == null) {
            ByteBuf mine = MqttCodec.encode(publish, version, allocator).asReadOnly();
            if (encoded.compareAndSet(slot, null, mine)) {
                bytes = mine;
            } else { // another connection encoded it meanwhile: use theirs
                mine.release();
                bytes = encoded.get(slot);
            }
        }
        return new EncodedPublish(publish, bytes.retainedDuplicate());
    }

    @Override
    protected void deallocate() {
        for (int slot = 0; slot < encoded.length(); slot++) {
            ByteBuf bytes = encoded.getAndSet(slot, null);
            if (bytes != null) {
                bytes.release();
            }
        }
    }

    @Override
    public SharedPublish touch(Object hint) {
        return this;
    }

    @Override
    public SharedPublish retain() {
        super.retain();
        return this;
    }
}
