package io.volantmq.broker.transport;

import io.volantmq.broker.BrokerConfig;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.volantmq.broker.BrokerEvents;
import io.volantmq.broker.BrokerGauges;
import io.volantmq.broker.auth.AuthChain;
import io.volantmq.broker.auth.LoginLimiter;
import io.volantmq.broker.auth.Security;
import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.BrokerContext;
import io.volantmq.broker.session.ListenerContext;
import io.volantmq.broker.session.MqttConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Binds every configured listener ({@code tcp}, {@code ssl}, {@code ws}, {@code wss}; see
 * {@link ListenerSpec}) on shared event loops, each with its own auth chain, TLS context and limits,
 * and closes them again.
 */
public final class Listeners implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    private final BrokerContext broker;
    private final Security security;
    /** Open connections on all listeners, for volantmq.maxConnections. */
    private final AtomicInteger openConnections = new AtomicInteger();
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Class<? extends ServerChannel> serverChannel;
    private final ChannelGroup serverChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ChannelGroup clientChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<InetSocketAddress> bound = new ArrayList<>();
    /** Failed logins per address, across all listeners of this broker. */
    private final LoginLimiter logins;

    public Listeners(BrokerContext broker, Security security) {
        this.broker = broker;
        this.security = security;
        Settings global = Settings.global(broker.config().settings());
        // one loop per core the process may use: a message handed to a loop on the same core waits
        // for the scheduler, which is what a latency tail is made of
        int ioThreads = global.integer("ioThreads", Runtime.getRuntime().availableProcessors(), 1, 4096);
        boolean epoll = global.bool("epoll", true) && Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        this.workerGroup = new MultiThreadIoEventLoopGroup(ioThreads, io);
        this.logins = LoginLimiter.of(global);
        BrokerGauges.register(broker.metrics().registry(), logins);
        log.debug("{} I/O threads, {} transport", ioThreads, epoll ? "epoll" : "nio");
    }

    /**
     * What {@link #start()} checks before it binds, without binding or starting threads: each listener's
     * URI and settings, its TLS files and its auth chain, and the broker-wide transport settings.
     * Throws with the listener or setting named, as a start would.
     */
    public static void check(BrokerConfig config, Security security) {
        Settings global = Settings.global(config.settings());
        global.integer("ioThreads", 1, 1, 4096);
        global.bool("epoll", true);
        global.integer("maxConnections", 0, 0, Integer.MAX_VALUE);
        for (URI uri : config.listeners()) {
            ListenerSpec spec = ListenerSpec.parse(uri, config);
            if (spec.transport().tls()) {
                TlsContextSource.open(spec, security.reloader());
            }
            security.authenticator("listener " + spec, spec.settings());
        }
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
        ListenerSpec spec = ListenerSpec.parse(uri, broker.config());
        TlsContextSource tls = spec.transport().tls() ? TlsContextSource.open(spec, security.reloader()) : null;
        Security.ListenerAuth listenerAuth = security.listenerAuth("listener " + spec, spec.settings(),
                broker.authMechanisms());
        AuthChain auth = listenerAuth.chain();
        int brokerMax = Settings.global(broker.config().settings()).integer("maxConnections", 0, 0, Integer.MAX_VALUE);
        ConnectionGate gate = new ConnectionGate(spec, openConnections, brokerMax);
        ListenerContext context = new ListenerContext(spec.publicUri(), logins.guard(auth), spec.maxPacketSize(),
                listenerAuth.methods());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
                // one allocator for the listener's channels (each keeps only its handle): Netty makes one per channel
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator())
                .childHandler(new MqttChannelInitializer(broker, spec, context, tls, gate, clientChannels));
        Channel channel;
        try {
            channel = bootstrap.bind(uri.getHost(), uri.getPort()).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new IllegalStateException("listener " + uri + " could not bind: " + e.getMessage(), e);
        }
        serverChannels.add(channel);
        InetSocketAddress address = (InetSocketAddress) channel.localAddress();
        bound.add(address);
        log.info("listening for MQTT on {}://{}:{}{} ({}auth: {}{}{})", spec.transport().scheme(),
                address.getHostString(), address.getPort(), spec.path() == null ? "" : spec.path(),
                tls == null ? "" : "TLS " + tls.description() + ", ", String.join(",", auth.names())
                        + (listenerAuth.methods().isEmpty() ? "" : "; enhanced: "
                        + String.join(",", listenerAuth.methods().keySet())),
                spec.proxy() ? ", PROXY protocol" : "", limits(spec));
        broker.events().onListenerStatus(uri, BrokerEvents.ListenerStatus.STARTED, null);
    }

    private String limits(ListenerSpec spec) {
        StringBuilder b = new StringBuilder();
        if (spec.maxConnections() > 0) {
            b.append(", max ").append(spec.maxConnections()).append(" connections");
        }
        if (spec.connectRate() > 0) {
            b.append(", ").append(spec.connectRate()).append(" connects/s");
        }
        if (spec.publishRate() > 0) {
            b.append(", ").append(spec.publishRate()).append(" publishes/s per connection");
        }
        if (spec.bandwidth() > 0) {
            b.append(", ").append(spec.bandwidth()).append(" bytes/s per connection");
        }
        if (spec.maxPacketSize() != broker.config().maxPacketSize()) {
            b.append(", packets up to ").append(spec.maxPacketSize()).append(" bytes");
        }
        return b.toString();
    }

    /** The addresses actually bound, in listener order (port 0 resolves to the real port). */
    public List<InetSocketAddress> boundAddresses() {
        return List.copyOf(bound);
    }

    @Override
    public void close() {
        serverChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // MQTT 5 clients are told why (DISCONNECT 0x8B) before their connection closes
        clientChannels.forEach(channel -> channel.pipeline().fireUserEventTriggered(MqttConnection.SHUTDOWN));
        clientChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        for (URI uri : broker.config().listeners()) {
            broker.events().onListenerStatus(uri, BrokerEvents.ListenerStatus.STOPPED, null);
        }
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
