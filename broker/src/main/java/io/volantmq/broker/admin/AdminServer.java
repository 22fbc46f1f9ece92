package io.volantmq.broker.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.volantmq.broker.auth.Security;
import io.volantmq.broker.config.ReloadReport;
import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.BrokerGauges;
import io.volantmq.broker.BrokerStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin HTTP endpoint ({@code volantmq.adminAddr=host:port}, off unless set): health, Prometheus
 * metrics, the JSON admin API ({@link AdminHandler}) and the web dashboard ({@link Dashboard}), on Netty's HTTP codec with an event loop and a
 * worker thread of its own, so neither slow API calls nor scrapes touch the MQTT event loops. TLS with
 * {@code volantmq.adminServerCert} / {@code adminServerKey} (PEM; {@code adminServerKeyPassword} for an
 * encrypted key). Every request is bounded: request line 4 KiB, headers 8 KiB, body 64 KiB (413 beyond),
 * 30 s without a byte closes the connection, at most {@link #MAX_CONNECTIONS} connections at once.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADERS = 8192;
    static final int MAX_BODY = 64 * 1024;
    static final int MAX_CONNECTIONS = 32;
    static final int READ_TIMEOUT_SECONDS = 30;

    private final EventLoopGroup loop;
    private final ExecutorService worker;
    private final ChannelGroup connections;
    private final AdminAuth auth;
    private final Channel server;
    private final boolean tls;

    private AdminServer(EventLoopGroup loop, ExecutorService worker, ChannelGroup connections, AdminAuth auth,
                        Channel server, boolean tls) {
        this.loop = loop;
        this.worker = worker;
        this.connections = connections;
        this.auth = auth;
        this.server = server;
        this.tls = tls;
    }

    /** Whether {@code volantmq.adminAddr} is set. */
    public static boolean enabled(Map<String, String> settings) {
        return Settings.global(settings).get("adminAddr") != null;
    }

    /** The registry a broker with an admin endpoint uses when the embedder gives none: Prometheus, with JVM meters. */
    public static MeterRegistry prometheusRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BrokerGauges.bindJvm(registry);
        return registry;
    }

    /** Parses {@code host:port} or {@code [v6]:port}; port 0 picks a free one. */
    static InetSocketAddress address(Settings settings) {
        String value = settings.get("adminAddr");
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw settings.bad("adminAddr", value, "host:port");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw settings.bad("adminAddr", value, "host:port with a port in 0..65535");
        }
        if (port < 0 || port > 65535 || host.isEmpty()) {
            throw settings.bad("adminAddr", value, "host:port with a port in 0..65535");
        }
        return new InetSocketAddress(host, port);
    }

    /** What {@link #start} validates, without binding: the address, the TLS files and who may use the API. */
    public static void check(Map<String, String> brokerSettings, Security security) {
        Settings settings = Settings.global(brokerSettings);
        address(settings);
        ssl(settings);
        AdminAuth.open(settings, security).close();
    }

    /** Validates the settings and binds; fails with the setting named. */
    public static AdminServer start(BrokerStats stats, Security security, Supplier<ReloadReport> reload) {
        return start(stats, security, reload, Map.of());
    }

    /** As above, with the read-only {@code GET /api/<name>} resources of broker modules. */
    public static AdminServer start(BrokerStats stats, Security security, Supplier<ReloadReport> reload,
                                    Map<String, Supplier<Object>> moduleViews) {
        Settings settings = Settings.global(stats.context().config().settings());
        InetSocketAddress bindTo = address(settings);
        SslContext ssl = ssl(settings);
        AdminAuth auth = AdminAuth.open(settings, security);
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "volantmq-admin");
            t.setDaemon(true);
            return t;
        });
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        AdminHandler handler = new AdminHandler(stats, auth, worker, reload, moduleViews);
        AtomicInteger open = new AtomicInteger();
        try {
            Channel server = new ServerBootstrap()
                    .group(loop)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (open.incrementAndGet() > MAX_CONNECTIONS) {
                                open.decrementAndGet();
                                ch.close();
                                return;
                            }
                            ch.closeFuture().addListener(f -> open.decrementAndGet());
                            connections.add(ch);
                            ChannelPipeline p = ch.pipeline();
                            if (ssl != null) {
                                p.addLast("ssl", ssl.newHandler(ch.alloc()));
                            }
                            p.addLast("readTimeout", new ReadTimeoutHandler(READ_TIMEOUT_SECONDS));
                            p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, 8192));
                            p.addLast("aggregator", new HttpObjectAggregator(MAX_BODY));
                            p.addLast("admin", handler);
                        }
                    })
                    .bind(bindTo).syncUninterruptibly().channel();
            AdminServer admin = new AdminServer(loop, worker, connections, auth, server, ssl != null);
            log.info("admin endpoint on {}://{} ({}; /health and /metrics open, /api {})", ssl != null ? "https"
                    : "http", hostPort(admin.address()), AdminHandler.prometheus(stats.registry()) != null
                    ? "Prometheus metrics" : "no Prometheus registry", auth.configured() ? "needs credentials"
                    : "closed: set volantmq.adminToken or volantmq.adminAuth");
            if (!auth.configured()) {
                log.warn("admin API closed: neither volantmq.adminToken nor volantmq.adminAuth is set");
            }
            return admin;
        } catch (Exception e) { // a BindException arrives unchecked-style through syncUninterruptibly
            auth.close();
            worker.shutdownNow();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("admin endpoint " + hostPort(bindTo) + " could not bind: "
                    + e.getMessage(), e);
        }
    }

    private static SslContext ssl(Settings settings) {
        String cert = settings.get("adminServerCert");
        String key = settings.get("adminServerKey");
        if (cert == null && key == null) {
            return null;
        }
        if (cert == null || key == null) {
            throw settings.missing(cert == null ? "adminServerCert" : "adminServerKey",
                    "TLS on the admin endpoint needs both adminServerCert and adminServerKey");
        }
        try {
            return SslContextBuilder.forServer(new File(cert), new File(key), settings.get("adminServerKeyPassword"))
                    .protocols("TLSv1.3", "TLSv1.2").build();
        } catch (Exception e) {
            throw new IllegalArgumentException("admin endpoint: cannot use " + cert + " and " + key + ": "
                    + e.getMessage(), e);
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Where it listens (port 0 resolved). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public boolean tls() {
        return tls;
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        worker.shutdownNow(); // a request in progress is interrupted; its connection closes below
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        auth.close();
    }
}
