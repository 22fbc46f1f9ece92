package io.volantmq.fuzz;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.AttributeKey;

final class Channels {
    private Channels() {
    }

    /**
     * An embedded channel whose allocator is set before its handlers see any event (the connection
     * handler starts its CONNECT timer on channelActive), with an attribute preset when not null.
     */
    static <T> EmbeddedChannel open(ByteBufAllocator alloc, AttributeKey<T> key, T value, ChannelHandler... handlers) {
        EmbeddedChannel channel = new EmbeddedChannel(false, false, handlers);
        channel.config().setAllocator(alloc);
        if (value != null) {
            channel.attr(key).set(value);
        }
        try {
            channel.register();
        } catch (Exception e) {
            throw new IllegalStateException("embedded channel did not register", e);
        }
        return channel;
    }
}
