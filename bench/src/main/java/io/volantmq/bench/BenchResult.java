package io.volantmq.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * What one run measured and found.
 *
 * @param measuredSeconds publishing time after the warm-up
 * @param expected        deliveries the sent messages should have caused (sent x fan-out)
 * @param toolCpuPercent  this process's CPU over the measured time, in percent of one core (-1: unknown)
 * @param brokerCpuPercent the broker's likewise, when its pid was given (-1: unknown)
 * @param drained         every expected delivery (and QoS 1/2 acknowledgement) arrived before the drain timeout
 * @param errorCount      connection and protocol errors; {@code errors} keeps the first few
 */
record BenchResult(BenchConfig config, int publishers, int subscribers, int connections, double measuredSeconds,
                   long sent, long delivered, long expected, double sentPerSecond, double deliveredPerSecond,
                   Latency latency, Checks checks, Connections connectionStats, double toolCpuPercent,
                   double brokerCpuPercent, boolean drained, long errorCount,
                   List<String> errors, List<Sample> samples) {

    /** End-to-end latency of the deliveries after the warm-up, in microseconds. */
    record Latency(long count, double p50, double p99, double p999, double max, double mean) {
        static Latency of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return new Latency(0, 0, 0, 0, 0, 0);
            }
            return new Latency(h.getTotalCount(), us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(99)),
                    us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()), h.getMean() / 1000.0);
        }

        private static double us(long nanos) {
            return nanos / 1000.0;
        }
    }

    /**
     * Correctness over every (stream, subscriber) pair.
     *
     * @param redeliveries  QoS 2 resends of a message whose PUBREL had not come yet (legal, not counted twice)
     * @param unexpected    deliveries not from a stream the subscriber listens to, or without our header
     * @param unexpectedAcks acknowledgements for packet ids not in flight
     * @param rejected      publishes acknowledged with an error reason code (MQTT 5)
     * @param windowResets  messages given up by the closed-loop window after a second without deliveries
     */
    record Checks(long lost, long duplicated, long outOfOrder, long packetIdReuse, long redeliveries,
                  long unexpected, long unexpectedAcks, long rejected, long windowResets) {
    }

    /** Connect and subscribe timings; broker memory when a pid was given (-1 otherwise). */
    /**
     * The setup phases: their times, the broker's memory before and after, and the CPU of the tool and of
     * the broker while connecting (percent of one core, -1 when unknown): the cost of a connection,
     * TLS handshake and WebSocket upgrade included.
     */
    record Connections(double connectSeconds, double subscribeSeconds, long rssBeforeKb, long rssAfterKb,
                       double connectToolCpuPercent, double connectBrokerCpuPercent, long liveHeapBeforeKb,
                       long liveHeapAfterKb, long rssAfterGcKb) {
        Connections(double connectSeconds, double subscribeSeconds, long rssBeforeKb, long rssAfterKb) {
            this(connectSeconds, subscribeSeconds, rssBeforeKb, rssAfterKb, -1, -1, -1, -1, -1);
        }
    }

    /** JVM brokers: live heap (after a full GC) added per connection (KiB), or -1 without readings. */
    double brokerLiveHeapKbPerConnection() {
        if (connectionStats.liveHeapBeforeKb < 0 || connectionStats.liveHeapAfterKb < 0 || connections == 0) {
            return -1;
        }
        return (connectionStats.liveHeapAfterKb - connectionStats.liveHeapBeforeKb) / (double) connections;
    }

    /** Broker CPU time per connection while connecting, in microseconds, or -1 without readings. */
    double brokerCpuUsPerConnect() {
        if (connectionStats.connectBrokerCpuPercent < 0 || connections == 0) {
            return -1;
        }
        return connectionStats.connectBrokerCpuPercent / 100 * connectionStats.connectSeconds * 1e6 / connections;
    }

    double connectPerSecond() {
        return connectionStats.connectSeconds > 0 ? connections / connectionStats.connectSeconds : 0;
    }

    /** Broker resident memory added per connection (KiB), or -1 without readings. */
    double brokerKbPerConnection() {
        if (connectionStats.rssBeforeKb < 0 || connectionStats.rssAfterKb < 0 || connections == 0) {
            return -1;
        }
        return (connectionStats.rssAfterKb - connectionStats.rssBeforeKb) / (double) connections;
    }

    /**
     * JVM brokers: resident memory added per connection (KiB) once the full GC of the live-heap reading has let
     * the heap shrink (issue 17's "RSS per idle connection after a GC"), or -1 without readings.
     */
    double brokerKbPerConnectionAfterGc() {
        if (connectionStats.rssBeforeKb < 0 || connectionStats.rssAfterGcKb < 0 || connections == 0) {
            return -1;
        }
        return (connectionStats.rssAfterGcKb - connectionStats.rssBeforeKb) / (double) connections;
    }

    /** Why the run failed: loss at QoS 1/2, duplicates or packet-id reuse at QoS 2, errors. Empty when fine. */
    List<String> failures() {
        List<String> failures = new ArrayList<>();
        int qos = config.qos();
        if (qos >= 1 && checks.lost() > 0) {
            failures.add(checks.lost() + " messages lost at QoS " + qos);
        }
        if (qos == 2 && checks.duplicated() > 0) {
            failures.add(checks.duplicated() + " messages duplicated at QoS 2");
        }
        if (qos == 2 && checks.packetIdReuse() > 0) {
            failures.add(checks.packetIdReuse() + " QoS 2 packet ids reused while awaiting PUBREL");
        }
        if (checks.rejected() > 0) {
            failures.add(checks.rejected() + " publishes refused by the broker");
        }
        if (errorCount > 0) {
            failures.add(errorCount + " connection/protocol errors" + (errors.isEmpty() ? "" : ", first: " + errors.get(0)));
        }
        return failures;
    }

    /** Worth a look but not a failure by itself. */
    List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        if (checks.outOfOrder() > 0) {
            warnings.add(checks.outOfOrder() + " messages out of order");
        }
        if (config.qos() == 0 && checks.lost() > 0) {
            warnings.add(checks.lost() + " messages lost at QoS 0");
        }
        if (config.qos() == 1 && checks.duplicated() > 0) {
            warnings.add(checks.duplicated() + " duplicates at QoS 1");
        }
        if (checks.unexpected() > 0) {
            warnings.add(checks.unexpected() + " unexpected deliveries");
        }
        if (checks.unexpectedAcks() > 0) {
            warnings.add(checks.unexpectedAcks() + " unexpected acknowledgements");
        }
        if (checks.windowResets() > 0) {
            warnings.add(checks.windowResets() + " messages given up by the window after a stall");
        }
        if (!drained) {
            warnings.add("drain timed out before every message arrived");
        }
        return warnings;
    }

    boolean ok() {
        return failures().isEmpty();
    }

    /** The one-line machine-readable result (flat, unique keys, so shell tools can pick fields). */
    String toJson() {
        BenchConfig c = config;
        return new JsonLine()
                .put("label", c.label())
                .put("case", c.caseName())
                .put("scenario", c.scenario().command())
                .put("protocol", c.protocolName())
                .put("wire", c.wire().scheme())
                .put("qos", c.qos())
                .put("payload_bytes", c.payloadSize())
                .put("publishers", publishers)
                .put("subscribers", subscribers)
                .put("stalled_subscribers", c.stalled())
                .put("connections", connections)
                .put("duration_s", measuredSeconds)
                .put("warmup_s", c.warmupSeconds())
                .put("rate_target", c.rate())
                .put("window", c.window())
                .put("inflight", c.inflight())
                .put("sent", sent)
                .put("delivered", delivered)
                .put("expected", expected)
                .put("sent_per_s", sentPerSecond)
                .put("delivered_per_s", deliveredPerSecond)
                .put("latency_p50_us", latency.p50())
                .put("latency_p99_us", latency.p99())
                .put("latency_p999_us", latency.p999())
                .put("latency_max_us", latency.max())
                .put("latency_mean_us", latency.mean())
                .put("tool_cpu_pct", toolCpuPercent)
                .put("broker_cpu_pct", brokerCpuPercent)
                .put("lost", checks.lost())
                .put("duplicated", checks.duplicated())
                .put("out_of_order", checks.outOfOrder())
                .put("pktid_reuse", checks.packetIdReuse())
                .put("qos2_redeliveries", checks.redeliveries())
                .put("unexpected", checks.unexpected())
                .put("unexpected_acks", checks.unexpectedAcks())
                .put("rejected", checks.rejected())
                .put("window_resets", checks.windowResets())
                .put("errors", errorCount)
                .put("drained", drained)
                .put("connect_s", connectionStats.connectSeconds())
                .put("connect_per_s", connectPerSecond())
                .put("connect_tool_cpu_pct", connectionStats.connectToolCpuPercent())
                .put("connect_broker_cpu_pct", connectionStats.connectBrokerCpuPercent())
                .put("connect_broker_cpu_us", brokerCpuUsPerConnect())
                .put("subscribe_s", connectionStats.subscribeSeconds())
                .put("broker_rss_before_kb", connectionStats.rssBeforeKb())
                .put("broker_rss_after_kb", connectionStats.rssAfterKb())
                .put("broker_kb_per_connection", brokerKbPerConnection())
                .put("broker_live_heap_kb_per_connection", brokerLiveHeapKbPerConnection())
                .put("broker_rss_after_gc_kb", connectionStats.rssAfterGcKb())
                .put("broker_kb_per_connection_after_gc", brokerKbPerConnectionAfterGc())
                .put("ok", ok())
                .toString();
    }
}
