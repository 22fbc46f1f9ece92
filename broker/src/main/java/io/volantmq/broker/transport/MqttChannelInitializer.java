package io.volantmq.broker.transport;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.codec.MqttEncoder;
import io.volantmq.broker.session.BrokerContext;
import io.volantmq.broker.session.MqttConnection;

/** The one pipeline every listener shares; transports (TLS, WebSocket) will add their handlers in front. */
final class MqttChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final BrokerContext broker;
    private final ListenerContext listener;
    private final ChannelGroup openChannels;
    private final MqttEncoder encoder = new MqttEncoder();

    MqttChannelInitializer(BrokerContext broker, ListenerContext listener, ChannelGroup openChannels) {
        this.broker = broker;
        this.listener = listener;
        this.openChannels = openChannels;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        openChannels.add(channel); // closed together on shutdown
        channel.pipeline()
                .addLast("decoder", new MqttDecoder(broker.config().maxPacketSize()))
                .addLast("encoder", encoder)
                .addLast("mqtt", new MqttConnection(broker, listener));
    }
}
