package io.volantmq.bridge;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.volantmq.broker.BrokerContext;
import io.volantmq.broker.BrokerModule;
import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.persistence.PersistenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Starts the bridges listed in {@code volantmq.bridges} (found by the broker through
 * {@link java.util.ServiceLoader}); all of them share one event loop thread: a bridge moves far fewer
 * messages than the broker's listeners, and one thread keeps each bridge's state confined.
 */
public final class BridgeModule implements BrokerModule {
    private static final Logger log = LoggerFactory.getLogger(BridgeModule.class);
    static final String SYS_PREFIX = "$SYS/broker/bridges/";

    @Override
    public Running start(BrokerContext context) {
        List<BridgeConfig> configs = BridgeConfig.all(context.config().settings());
        if (configs.isEmpty()) {
            return null;
        }
        List<SslContext> ssl = new ArrayList<>();
        for (BridgeConfig c : configs) {
            boolean secure = c.addresses().stream().anyMatch(a -> a.getScheme().equalsIgnoreCase("ssl")
                    || a.getScheme().equalsIgnoreCase("wss"));
            ssl.add(secure ? RemotePipeline.sslContext(c.tls()) : null);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("volantmq-bridge", true),
                NioIoHandler.newFactory());
        List<Bridge> bridges = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            Bridge b = new Bridge(configs.get(i), context, group.next(), ssl.get(i));
            bridges.add(b);
            b.start();
            register(context.metrics().registry(), b);
            log.info("bridge {}: {} -> {}", b.name(), configs.get(i).localClientId(), configs.get(i).addresses());
        }
        Settings settings = Settings.global(context.config().settings());
        if (settings.bool("withSystree", true)) {
            long interval = settings.integer("systreeUpdateInterval", 10, 1, 86_400);
            group.next().scheduleWithFixedDelay(() -> publishSys(context, bridges), 1, interval, TimeUnit.SECONDS);
        }
        return new Running() {
            @Override
            public String resource() {
                return "bridges";
            }

            @Override
            public Object status() {
                List<Object> out = new ArrayList<>();
                bridges.forEach(b -> out.add(b.status()));
                return out;
            }

            @Override
            public void close() {
                bridges.forEach(Bridge::close);
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        };
    }

    /** Retained QoS 0 values under {@code $SYS/broker/bridges/<name>/}, like the rest of the tree. */
    private static void publishSys(BrokerContext context, List<Bridge> bridges) {
        try {
            for (Bridge b : bridges) {
                for (Map.Entry<String, Object> e : b.status().entrySet()) {
                    if (e.getKey().equals("name")) {
                        continue;
                    }
                    String value = e.getValue() == null ? "" : String.valueOf(e.getValue());
                    context.router().publish("$SYS", new Publish(SYS_PREFIX + b.name() + "/" + e.getKey(), 0, true,
                            false, 0, value.getBytes(StandardCharsets.UTF_8), null));
                }
            }
        } catch (PersistenceException e) {
            log.warn("bridge $SYS values not published: {}", e.getMessage());
        } catch (Throwable e) { // a periodic task that throws never runs again
            log.error("bridge $SYS values not published", e);
        }
    }

    private static void register(MeterRegistry registry, Bridge b) {
        Bridge.BridgeStats s = b.stats();
        Gauge.builder("volantmq.bridge.connected", s, x -> x.connected ? 1 : 0).tag("bridge", b.name())
                .description("1 while the bridge is connected to its remote").register(registry);
        Gauge.builder("volantmq.bridge.queued", b, queued()).tag("bridge", b.name())
                .description("messages waiting in the bridge's queue for the remote").register(registry);
        counter(registry, "volantmq.bridge.sent", s, x -> x.sent.sum(), b, "messages the remote acknowledged");
        counter(registry, "volantmq.bridge.received", s, x -> x.received.sum(), b, "messages received from the remote");
        counter(registry, "volantmq.bridge.failed", s, x -> x.failed.sum(), b, "messages the remote refused or that did not fit");
        counter(registry, "volantmq.bridge.reconnects", s, x -> x.reconnects.sum(), b, "connection attempts that failed or ended");
    }

    private static ToDoubleFunction<Bridge> queued() {
        return b -> {
            Object q = b.status().get("queued");
            return q instanceof Number n ? n.doubleValue() : -1;
        };
    }

    private static void counter(MeterRegistry registry, String name, Bridge.BridgeStats s,
                                ToDoubleFunction<Bridge.BridgeStats> f, Bridge b, String description) {
        FunctionCounter.builder(name, s, f).tag("bridge", b.name()).description(description).register(registry);
    }
}
