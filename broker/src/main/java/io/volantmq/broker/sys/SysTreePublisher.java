package io.volantmq.broker.sys;

import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.cluster.ClusterLink;
import io.volantmq.broker.cluster.ClusterMeter;
import io.volantmq.broker.cluster.ClusterNodeInfo;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.BrokerStats;
import io.volantmq.persistence.StoreHealth;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.routing.Router;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The {@code $SYS/broker/...} tree: every {@code volantmq.systreeUpdateInterval} seconds (default 10)
 * the values are published as retained QoS 0 messages through the router, so a new {@code $SYS/#}
 * subscriber gets the whole snapshot at once and subscribers see the values change. Only values that
 * changed since the last update are published, with the whole tree again every
 * {@link #FULL_EVERY} updates (in case a retained value was cleared by hand). The maximum of
 * connected clients is sampled every second between updates. Values are plain decimal numbers
 * (rates with two decimals) or text; the README lists every topic.
 */
public final class SysTreePublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SysTreePublisher.class);
    public static final String PREFIX = "$SYS/broker/";
    /** The origin of $SYS messages for the router: what a subscriber's no-local option compares with. */
    static final String ORIGIN = "$SYS";
    static final int FULL_EVERY = 30;

    private final BrokerStats stats;
    private final Router router;
    private final LongSupplier nanoClock;
    private final Map<String, LoadAverage> loads = new LinkedHashMap<>();
    private final Map<String, String> published = new HashMap<>();
    private ScheduledExecutorService timer;
    private long maximumConnected;
    private int updates;
    private boolean storeWarned;

    SysTreePublisher(BrokerStats stats, LongSupplier nanoClock) {
        this.stats = stats;
        this.router = stats.context().router();
        this.nanoClock = nanoClock;
        for (String load : new String[] {"messages/received", "messages/sent", "bytes/received", "bytes/sent",
                "connections"}) {
            loads.put(load, new LoadAverage());
        }
    }

    /** Whether {@code volantmq.withSystree} (default true) asks for the tree. */
    public static boolean enabled(Map<String, String> settings) {
        return Settings.global(settings).bool("withSystree", true);
    }

    /** {@code volantmq.systreeUpdateInterval}: seconds between updates, 1 to 86400, default 10. */
    public static long intervalSeconds(Map<String, String> settings) {
        return Settings.global(settings).longValue("systreeUpdateInterval", 10, 1, 86_400);
    }

    /** Publishes the tree now, then every {@code intervalSeconds} on a thread of its own. */
    public static SysTreePublisher start(BrokerStats stats, long intervalSeconds) {
        SysTreePublisher publisher = new SysTreePublisher(stats, System::nanoTime);
        publisher.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "volantmq-systree");
            t.setDaemon(true);
            return t;
        });
        publisher.timer.scheduleWithFixedDelay(publisher::safeUpdate, 0, intervalSeconds, TimeUnit.SECONDS);
        publisher.timer.scheduleWithFixedDelay(publisher::sampleMaximum, 1, 1, TimeUnit.SECONDS);
        log.info("$SYS tree under {} updated every {} s", PREFIX, intervalSeconds);
        return publisher;
    }

    /**
     * With the tree switched off, drops what an earlier run left retained under {@code $SYS/broker/}
     * (a durable store keeps it), so nobody reads stale values as current.
     */
    public static int purge(BrokerStats stats) {
        int removed = 0;
        for (StoredMessage m : stats.context().retained().match(PREFIX + "#", System.currentTimeMillis())) {
            stats.context().retained().update(new StoredMessage(m.topic(), 0, true, new byte[0], null,
                    System.currentTimeMillis(), 0));
            removed++;
        }
        return removed;
    }

    private void safeUpdate() {
        try {
            update();
        } catch (PersistenceException e) {
            if (!storeWarned) {
                storeWarned = true; // once per outage, not once per update
                log.warn("$SYS update incomplete, the store is failing: {}", e.getMessage());
            }
        } catch (Throwable e) { // an Error too: a periodic task that throws is never run again
            log.error("$SYS update failed", e);
        }
    }

    private void sampleMaximum() {
        try {
            maximumConnected = Math.max(maximumConnected, connectedNow());
        } catch (Throwable e) {
            log.error("sampling the connection maximum failed", e);
        }
    }

    /** Connections that completed CONNECT and have not ended: exact, and O(1) unlike a pass over sessions. */
    private long connectedNow() {
        return (long) (stats.count("volantmq.clients.connects") - stats.count("volantmq.clients.disconnects"));
    }

    /** Takes a snapshot and publishes what changed (everything on the first and every FULL_EVERY-th update). */
    void update() {
        Map<String, String> snapshot = snapshot();
        boolean full = updates++ % FULL_EVERY == 0;
        for (Map.Entry<String, String> e : snapshot.entrySet()) {
            if (full || !e.getValue().equals(published.get(e.getKey()))) {
                // this node's subscribers only: in a cluster every node has its own tree (its values would
                // overwrite the others' retained ones); the cluster-wide view is under cluster/
                router.publishHere(ORIGIN, new Publish(e.getKey(), 0, true, false, 0,
                        e.getValue().getBytes(StandardCharsets.UTF_8), Properties.EMPTY));
                published.put(e.getKey(), e.getValue());
            }
        }
        storeWarned = false;
    }

    /** Every topic with its current value, in a stable order. */
    Map<String, String> snapshot() {
        long now = nanoClock.getAsLong();
        BrokerStats.State state = stats.state();
        maximumConnected = Math.max(maximumConnected, Math.max(state.connected(), connectedNow()));
        Map<String, String> t = new LinkedHashMap<>();
        t.put("version", BrokerStats.version());
        t.put("node", stats.nodeName());
        t.put("uptime", Long.toString(stats.uptimeSeconds()));

        t.put("clients/connected", Long.toString(state.connected()));
        t.put("clients/disconnected", Long.toString(state.offline()));
        t.put("clients/total", Long.toString(state.sessions()));
        t.put("clients/maximum", Long.toString(maximumConnected));
        t.put("clients/expired", count("volantmq.sessions.expired"));

        double messagesReceived = stats.count("volantmq.messages.received");
        double messagesSent = stats.count("volantmq.messages.sent");
        double bytesReceived = stats.count("volantmq.bytes.received");
        double bytesSent = stats.count("volantmq.bytes.sent");
        t.put("messages/received", whole(messagesReceived));
        t.put("messages/sent", whole(messagesSent));
        t.put("bytes/received", whole(bytesReceived));
        t.put("bytes/sent", whole(bytesSent));
        t.put("publish/bytes/received", count("volantmq.messages.received.payload"));
        t.put("publish/bytes/sent", count("volantmq.messages.sent.payload"));
        Map<String, Double> dropped = stats.countsBy(BrokerMetrics.DROPPED, "reason");
        t.put("messages/dropped", whole(dropped.values().stream().mapToDouble(Double::doubleValue).sum()));
        dropped.forEach((reason, n) -> t.put("messages/dropped/" + reason, whole(n)));
        t.put("messages/unrouted", count("volantmq.messages.unrouted"));

        loads.get("messages/received").sample(messagesReceived, now);
        loads.get("messages/sent").sample(messagesSent, now);
        loads.get("bytes/received").sample(bytesReceived, now);
        loads.get("bytes/sent").sample(bytesSent, now);
        loads.get("connections").sample(stats.count("volantmq.clients.connects"), now);
        loads.forEach((name, load) -> {
            t.put("load/" + name + "/1min", rate(load.oneMinute()));
            t.put("load/" + name + "/5min", rate(load.fiveMinutes()));
            t.put("load/" + name + "/15min", rate(load.fifteenMinutes()));
        });

        stats.countsBy("volantmq.packets.received", "type").forEach((type, n) -> t.put("packets/received/" + type,
                whole(n)));
        stats.countsBy("volantmq.packets.sent", "type").forEach((type, n) -> t.put("packets/sent/" + type,
                whole(n)));

        t.put("subscriptions/count", Long.toString(state.subscriptions()));
        t.put("subscriptions/shared/count", Long.toString(state.shared()));
        t.put("retained/count", Long.toString(stats.retainedCount()));
        t.put("store/messages/count", Long.toString(state.storedMessages()));
        t.put("store/messages/bytes", Long.toString(state.storedBytes()));
        StoreHealth health = stats.storeHealth();
        t.put("store/healthy", Boolean.toString(health.healthy()));
        t.put("store/failedCalls", Long.toString(health.failedCalls()));
        t.put("heap/used", Long.toString(BrokerStats.heapUsed()));
        t.put("heap/max", Long.toString(BrokerStats.heapMax()));
        for (BrokerStats.ListenerInfo listener : stats.listeners()) {
            t.put("listeners/" + listener.label() + "/connected",
                    Long.toString(state.byListener().getOrDefault(listener.key(), 0L)));
        }

        cluster(t);

        Map<String, String> topics = new LinkedHashMap<>();
        t.forEach((k, v) -> topics.put(PREFIX + k, v));
        return topics;
    }

    /** {@code cluster/...}: this node's cluster meters and every node's row, when in a cluster. */
    private void cluster(Map<String, String> t) {
        ClusterLink cluster = stats.context().sessions().cluster();
        if (!cluster.active()) {
            return;
        }
        for (ClusterMeter meter : cluster.meters()) {
            t.put("cluster/" + meter.name().replace('.', '/'), whole(meter.value().getAsDouble()));
        }
        try {
            for (ClusterNodeInfo node : cluster.nodes()) {
                String prefix = "cluster/nodes/" + level(node.name()) + "/";
                t.put(prefix + "alive", Boolean.toString(node.alive()));
                t.put(prefix + "clients", Long.toString(node.clients()));
                t.put(prefix + "owned", Long.toString(node.owned()));
                t.put(prefix + "inbox/length", Long.toString(node.inboxLength()));
                t.put(prefix + "inbox/pending", Long.toString(node.inboxPending()));
            }
        } catch (PersistenceException e) {
            log.debug("$SYS: the cluster's node table is not available: {}", e.getMessage());
        }
    }

    /** A node name as one topic level (no separator, no wildcard). */
    private static String level(String name) {
        return name.replace('/', '_').replace('+', '_').replace('#', '_');
    }

    private String count(String name) {
        return whole(stats.count(name));
    }

    private static String whole(double value) {
        return Long.toString((long) value);
    }

    private static String rate(double perMinute) {
        return String.format(Locale.ROOT, "%.2f", perMinute);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS); // an update in flight finishes before the store closes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
