package io.volantmq.broker;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.volantmq.broker.auth.LoginLimiter;
import io.volantmq.broker.cluster.ClusterLink;
import io.volantmq.broker.cluster.ClusterMeter;
import io.volantmq.broker.store.GroupCommit;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.store.StoreLanes;
import io.volantmq.broker.routing.Router;

/**
 * The meters that describe state rather than events, registered next to the hot-path counters of
 * {@link BrokerMetrics}: gauges over {@link BrokerStats}, and counters the core keeps itself (queue
 * drops, routing outcomes, store failures, group commits, blocked logins) exposed as function counters,
 * so {@code /metrics} and {@code $SYS} read the same numbers. Gauges hold their source strongly;
 * function counters hold it weakly, so the broker keeps its {@link BrokerStats}.
 */
public final class BrokerGauges {

    private BrokerGauges() {
    }

    /** Registers the broker-state meters of {@code stats} in its registry. */
    public static void register(BrokerStats stats) {
        MeterRegistry r = stats.registry();
        Router router = stats.context().router();
        FunctionCounter.builder(BrokerMetrics.DROPPED, router, x -> x.limits().dropped()).tag("reason", "queue_full")
                .description(BrokerMetrics.DROPPED_DESCRIPTION).register(r);
        FunctionCounter.builder("volantmq.messages.routed", router, Router::routedCount)
                .description("PUBLISHes (from clients, wills, $SYS and the admin API) that matched a subscription")
                .register(r);
        FunctionCounter.builder("volantmq.messages.unrouted", router, Router::noSubscriberCount)
                .description("PUBLISHes that matched no subscription").register(r);

        gauge(r, "volantmq.clients.connected", "clients connected now", stats, s -> s.state().connected());
        gauge(r, "volantmq.sessions", "sessions: connected clients and persistent sessions offline", stats,
                s -> s.state().sessions());
        gauge(r, "volantmq.sessions.offline", "persistent sessions whose client is not connected", stats,
                s -> s.state().offline());
        gauge(r, "volantmq.subscriptions", "subscriptions, shared ones included", stats,
                s -> s.state().subscriptions());
        gauge(r, "volantmq.subscriptions.shared", "shared subscriptions", stats, s -> s.state().shared());
        gauge(r, "volantmq.retained.messages", "retained messages", stats, BrokerStats::retainedCount);
        gauge(r, "volantmq.store.messages", "entries in all session queues (-1: the store did not answer)",
                stats, s -> s.state().storedMessages());
        Gauge.builder("volantmq.store.messages.payload", stats, s -> s.state().storedBytes()).baseUnit("bytes")
                .description("payload bytes of the entries in all session queues (-1: the store did not answer)")
                .strongReference(true).register(r);
        gauge(r, "volantmq.store.healthy", "1 while the store answers, 0 while it is failing", stats,
                s -> s.storeHealth().healthy() ? 1 : 0);
        FunctionCounter.builder("volantmq.store.failed.calls", stats, s -> s.storeHealth().failedCalls())
                .description("store calls that failed since start").register(r);
        Gauge.builder("volantmq.uptime", stats, s -> s.uptimeSeconds()).baseUnit("seconds")
                .description("seconds since the broker started").strongReference(true).register(r);
        Gauge.builder("volantmq.info", () -> 1.0).tag("version", BrokerStats.version()).tag("node", stats.nodeName())
                .description("the broker's version and node name").strongReference(true).register(r);
        ClusterLink cluster = stats.context().sessions().cluster();
        for (ClusterMeter meter : cluster.meters()) {
            String name = "volantmq.cluster." + meter.name();
            if (meter.counter()) {
                // held weakly: the link, which the broker keeps; the function (holding the meter) strongly
                FunctionCounter.builder(name, cluster, c -> meter.value().getAsDouble())
                        .description(meter.description()).register(r);
            } else {
                Gauge.builder(name, meter, m -> m.value().getAsDouble()).description(meter.description())
                        .strongReference(true).register(r);
            }
        }
        for (BrokerStats.ListenerInfo listener : stats.listeners()) {
            Gauge.builder("volantmq.listener.clients", stats,
                            s -> s.state().byListener().getOrDefault(listener.key(), 0L))
                    .tag("listener", listener.name()).description("clients connected, per listener")
                    .strongReference(true).register(r);
        }
    }

    private static void gauge(MeterRegistry r, String name, String description, BrokerStats stats,
                              java.util.function.ToDoubleFunction<BrokerStats> value) {
        Gauge.builder(name, stats, value).description(description).strongReference(true).register(r);
    }

    /** The group commit's meters, when the store syncs in groups; with store lanes, theirs added. */
    public static void register(MeterRegistry r, GroupCommit commit, StoreLanes lanes) {
        FunctionCounter.builder("volantmq.store.syncs", commit, c -> c.syncs() + (lanes == null ? 0 : lanes.syncs()))
                .description("group commits: disk syncs of the store").register(r);
        FunctionCounter.builder("volantmq.store.sync.waiters", commit,
                        c -> c.waiters() + (lanes == null ? 0 : lanes.batches()))
                .description("requests the group commits served (per sync: how many shared one)").register(r);
    }

    /** The failed-login limiter's meters. */
    public static void register(MeterRegistry r, LoginLimiter logins) {
        FunctionCounter.builder("volantmq.auth.blocked.addresses", logins, LoginLimiter::blocks)
                .description("remote addresses blocked after too many failed logins (volantmq.maxLoginFailures)")
                .register(r);
        FunctionCounter.builder("volantmq.auth.blocked.connects", logins, LoginLimiter::refused)
                .description("CONNECTs refused because their address was blocked after failed logins")
                .register(r);
    }

    /** JVM meters (memory, threads, class loading, CPU, uptime), for a registry the broker made itself. */
    public static void bindJvm(MeterRegistry r) {
        new JvmMemoryMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
    }
}
