package io.volantmq.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ChannelInfoTest {
    @Test
    void readingTheAddressAddsNoAttributeToTheChannel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        assertEquals(channel.remoteAddress(), ChannelInfo.remoteAddress(channel));
        assertFalse(channel.hasAttr(ChannelInfo.PROXIED_REMOTE_ADDRESS), "an attribute per connection for nothing");
    }

    @Test
    void aProxiedAddressWins() {
        EmbeddedChannel channel = new EmbeddedChannel();
        InetSocketAddress client = new InetSocketAddress("192.0.2.7", 4242);
        channel.attr(ChannelInfo.PROXIED_REMOTE_ADDRESS).set(client);
        assertEquals(client, ChannelInfo.remoteAddress(channel));
    }
}
