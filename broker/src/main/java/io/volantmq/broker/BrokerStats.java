package io.volantmq.broker;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Measurement;
import io.volantmq.persistence.StoreHealth;
import io.volantmq.broker.transport.ListenerSpec;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueueStats;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code $SYS}, {@code /metrics} and the admin API say about the broker, in one place. Counters
 * are read from the meter registry (the one set of meters the hot path updates); state (sessions,
 * subscriptions, queues) is read from the core in one pass, at most once per {@link #MAX_AGE_NANOS},
 * so a scrape and a {@code $SYS} update close together share the work. It sits in the root package, above the
 * core it reads, because the core counts into {@code metrics}: there it would close a package cycle.
 */
public final class BrokerStats {
    /** How old a state snapshot may be before it is taken again. */
    public static final long MAX_AGE_NANOS = 1_000_000_000L;

    private final BrokerContext context;
    private final MeterRegistry registry;
    private final Supplier<StoreHealth> storeHealth;
    private final List<ListenerInfo> listeners;
    private final long startedAtMillis;
    private final LongSupplier nanoClock;
    private State cached;

    /**
     * A listener: {@code key} as connections know it (the configured URI without its query),
     * {@code name} as shown (the bound port instead of 0), {@code label} a topic level for $SYS.
     */
    public record ListenerInfo(String key, String name, String label) {
    }

    /**
     * The broker's state at {@code takenAtNanos}.
     *
     * @param connected        clients connected now
     * @param offline          persistent sessions whose client is not connected
     * @param byListener       connected clients per {@link ListenerInfo#key()}
     * @param subscriptions    subscriptions, shared ones included
     * @param shared           shared subscriptions
     * @param storedMessages   entries in all session queues (a message queued for n sessions counts n times);
     *                         -1 when the store did not answer
     * @param storedBytes      payload bytes of those entries; -1 when the store did not answer
     */
    public record State(long connected, long offline, Map<String, Long> byListener, long subscriptions,
                        long shared, long storedMessages, long storedBytes, long takenAtNanos) {
        public long sessions() {
            return connected + offline;
        }
    }

    public BrokerStats(BrokerContext context, MeterRegistry registry, Supplier<StoreHealth> storeHealth,
                       List<InetSocketAddress> bound, long startedAtMillis) {
        this(context, registry, storeHealth, bound, startedAtMillis, System::nanoTime);
    }

    /** As above, with the clock that ages the state snapshot (tests step it). */
    public BrokerStats(BrokerContext context, MeterRegistry registry, Supplier<StoreHealth> storeHealth,
                       List<InetSocketAddress> bound, long startedAtMillis, LongSupplier nanoClock) {
        this.context = context;
        this.registry = registry;
        this.storeHealth = storeHealth;
        this.startedAtMillis = startedAtMillis;
        this.nanoClock = nanoClock;
        this.listeners = listeners(context.config(), bound);
    }

    private static List<ListenerInfo> listeners(BrokerConfig config, List<InetSocketAddress> bound) {
        List<ListenerInfo> result = new ArrayList<>();
        for (int i = 0; i < config.listeners().size(); i++) {
            URI key = ListenerSpec.parse(config.listeners().get(i), config).publicUri();
            int port = i < bound.size() ? bound.get(i).getPort() : key.getPort();
            String name = key.getScheme() + "://" + key.getHost() + ":" + port + (key.getPath() == null ? ""
                    : key.getPath());
            result.add(new ListenerInfo(key.toString(), name, key.getScheme() + "/" + port));
        }
        return List.copyOf(result);
    }

    public BrokerContext context() {
        return context;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public List<ListenerInfo> listeners() {
        return listeners;
    }

    public String nodeName() {
        return context.config().nodeName();
    }

    public long startedAtMillis() {
        return startedAtMillis;
    }

    public long uptimeSeconds() {
        return Math.max(0, (System.currentTimeMillis() - startedAtMillis) / 1000);
    }

    public StoreHealth storeHealth() {
        return storeHealth.get();
    }

    public long retainedCount() {
        return context.retained().size();
    }

    public static long heapUsed() {
        return heap().getUsed();
    }

    /** The most the heap may grow to, or the committed size when there is no limit. */
    public static long heapMax() {
        MemoryUsage heap = heap();
        return heap.getMax() < 0 ? heap.getCommitted() : heap.getMax();
    }

    private static MemoryUsage heap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    }

    /** The current state, taken again when the last one is older than a second. */
    public synchronized State state() {
        long now = nanoClock.getAsLong();
        if (cached == null || now - cached.takenAtNanos() >= MAX_AGE_NANOS) {
            cached = take(now);
        }
        return cached;
    }

    private State take(long now) {
        Map<String, Long> byListener = context.sessions().onlineByListener();
        long connected = byListener.values().stream().mapToLong(Long::longValue).sum();
        long total = context.sessions().size();
        long[] subs = new long[2];
        context.tree().forEach(s -> {
            subs[0]++;
            if (s.options().shared()) {
                subs[1]++;
            }
        });
        long storedMessages = 0;
        long storedBytes = 0;
        try {
            // one key read per session on every backend: cheap next to routing, bounded by the cache age
            for (String clientId : context.sessions().clientIds()) {
                QueueStats q = context.router().queues().stats(clientId); // durable or heap, as the session's is
                storedMessages += q.messages();
                storedBytes += q.payloadBytes();
            }
        } catch (PersistenceException e) {
            storedMessages = -1;
            storedBytes = -1;
        }
        return new State(connected, Math.max(0, total - connected), Map.copyOf(byListener), subs[0], subs[1],
                storedMessages, storedBytes, now);
    }

    /** The value of a counter (or the sum over all its tags); 0 when it is not registered. */
    public double count(String name) {
        double sum = 0;
        for (Meter meter : registry.find(name).meters()) {
            sum += value(meter);
        }
        return sum;
    }

    /** A counter's values by one tag, e.g. {@code volantmq.packets.received} by {@code type}; sorted by tag. */
    public Map<String, Double> countsBy(String name, String tag) {
        Map<String, Double> result = new TreeMap<>();
        for (Meter meter : registry.find(name).meters()) {
            String value = meter.getId().getTag(tag);
            if (value != null) {
                result.merge(value, value(meter), Double::sum);
            }
        }
        return result;
    }

    private static double value(Meter meter) {
        for (Measurement m : meter.measure()) {
            return m.getValue(); // counters and gauges have exactly one measurement
        }
        return 0;
    }

    /** The broker's version, from the build; "unknown" when run from an unfiltered class path. */
    public static String version() {
        return Version.VALUE;
    }

    private static final class Version {
        static final String VALUE = read();

        private static String read() {
            try (InputStream in = BrokerStats.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String v = p.getProperty("version", "");
                    if (!v.isBlank() && !v.startsWith("${")) {
                        return v.trim();
                    }
                }
            } catch (IOException ignored) {
                // fall through
            }
            String manifest = BrokerStats.class.getPackage().getImplementationVersion();
            return manifest == null ? "unknown" : manifest;
        }
    }
}
