package io.volantmq.broker.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.volantmq.broker.BrokerEvents;
import io.volantmq.broker.auth.Authenticator;
import io.volantmq.broker.session.BrokerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Binds every configured listener on shared event loops and closes them again. */
public final class Listeners implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    private static final List<String> SUPPORTED = List.of("tcp");

    private final BrokerContext broker;
    private final EventLoopGroup bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workerGroup = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    private final ChannelGroup serverChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ChannelGroup clientChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<InetSocketAddress> bound = new ArrayList<>();

    public Listeners(BrokerContext broker) {
        this.broker = broker;
    }

    /** Binds all listeners; on any failure closes what was bound and throws with the listener named. */
    public void start() {
        for (URI uri : broker.config().listeners()) {
            try {
                bind(uri);
            } catch (RuntimeException e) {
                broker.events().onListenerStatus(uri, BrokerEvents.ListenerStatus.FAILED, e);
                close();
                throw e;
            }
        }
    }

    private void bind(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SUPPORTED.contains(scheme)) {
            throw new IllegalArgumentException("listener " + uri + ": scheme '" + scheme + "' is not supported; "
                    + "supported: " + SUPPORTED + " (volantmq.listeners)");
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("listener " + uri + " needs a host and a port, e.g. tcp://0.0.0.0:1883");
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
                .childHandler(new MqttChannelInitializer(broker, new ListenerContext(uri, Authenticator.ALLOW_ALL),
                        clientChannels));
        Channel channel;
        try {
            channel = bootstrap.bind(uri.getHost(), uri.getPort()).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new IllegalStateException("listener " + uri + " could not bind: " + e.getMessage(), e);
        }
        serverChannels.add(channel);
        InetSocketAddress address = (InetSocketAddress) channel.localAddress();
        bound.add(address);
        log.info("listening for MQTT on {}://{}:{}", scheme, address.getHostString(), address.getPort());
        broker.events().onListenerStatus(uri, BrokerEvents.ListenerStatus.STARTED, null);
    }

    /** The addresses actually bound, in listener order (port 0 resolves to the real port). */
    public List<InetSocketAddress> boundAddresses() {
        return List.copyOf(bound);
    }

    @Override
    public void close() {
        serverChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        clientChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        for (URI uri : broker.config().listeners()) {
            broker.events().onListenerStatus(uri, BrokerEvents.ListenerStatus.STOPPED, null);
        }
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
