package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.volantmq.broker.protocol.Publish;

/**
 * A PUBLISH already encoded (from {@link SharedPublish}), written to one channel: {@link MqttEncoder}
 * passes its bytes on as they are. The decoded form stays for the packet meters and traces.
 */
public final class EncodedPublish extends DefaultByteBufHolder {
    private final Publish publish;

    EncodedPublish(Publish publish, ByteBuf bytes) {
        super(bytes);
        this.publish = publish;
    }

    public Publish publish() {
        return publish;
    }

    @Override
    public String toString() {
        return "Encoded" + publish;
    }
}
