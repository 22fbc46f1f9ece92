package io.volantmq.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The end-of-run table and the {@code RESULT {json}} line, on standard output. */
final class ResultReport {
    static final String RESULT_PREFIX = "RESULT ";

    private ResultReport() {
    }

    static void print(BenchResult r, PrintWriter out) {
        BenchConfig c = r.config();
        out.println();
        out.printf(Locale.ROOT, "%s  %s: %d publishers -> %d subscribers, MQTT %s over %s, QoS %d, %d B payload%n",
                c.label(), c.scenario().command(), r.publishers(), r.subscribers(), c.protocolName(), c.wire().scheme(),
                c.qos(), c.payloadSize());
        row(out, "limits", String.format(Locale.ROOT, "inflight %d, window %s, rate %s", c.inflight(),
                c.window() > 0 ? Integer.toString(c.window()) : "off",
                c.rate() > 0 ? String.format(Locale.ROOT, "%,.0f msgs/s", c.rate()) : "off"));
        row(out, "time", String.format(Locale.ROOT, "%.1f s measured (+%.1f s warm-up), %s", r.measuredSeconds(),
                c.warmupSeconds(), r.drained() ? "drained" : "drain timed out"));
        row(out, "sent", String.format(Locale.ROOT, "%,d msgs  %,.0f msgs/s", r.sent(), r.sentPerSecond()));
        row(out, "delivered", String.format(Locale.ROOT, "%,d msgs  %,.0f msgs/s  (expected %,d)", r.delivered(),
                r.deliveredPerSecond(), r.expected()));
        BenchResult.Latency l = r.latency();
        row(out, "latency", String.format(Locale.ROOT, "p50 %,.0f us  p99 %,.0f us  p99.9 %,.0f us  max %,.0f us"
                + "  mean %,.0f us", l.p50(), l.p99(), l.p999(), l.max(), l.mean()));
        row(out, "cpu", String.format(Locale.ROOT, "load tool %s, broker %s (of one core, measured time)",
                percent(r.toolCpuPercent()), percent(r.brokerCpuPercent())));
        BenchResult.Checks k = r.checks();
        row(out, "correctness", String.format(Locale.ROOT, "lost %,d  duplicated %,d  out-of-order %,d  "
                + "packet-id reuse %,d", k.lost(), k.duplicated(), k.outOfOrder(), k.packetIdReuse()));
        BenchResult.Connections cs = r.connectionStats();
        row(out, "connections", String.format(Locale.ROOT, "%,d connected in %.2f s (%,.0f/s), subscribed in %.2f s",
                r.connections(), cs.connectSeconds(), r.connectPerSecond(), cs.subscribeSeconds()));
        row(out, "connect cpu", String.format(Locale.ROOT, "load tool %s, broker %s (of one core, while connecting)%s",
                percent(cs.connectToolCpuPercent()), percent(cs.connectBrokerCpuPercent()),
                r.brokerCpuUsPerConnect() >= 0
                        ? String.format(Locale.ROOT, ": broker %,.0f us per connection", r.brokerCpuUsPerConnect())
                        : ""));
        if (c.scenario() == Scenario.CONNECTIONS && r.brokerKbPerConnection() >= 0) {
            row(out, "broker memory", String.format(Locale.ROOT, "RSS %,d KB -> %,d KB: %.1f KB per connection",
                    cs.rssBeforeKb(), cs.rssAfterKb(), r.brokerKbPerConnection()));
            if (r.brokerLiveHeapKbPerConnection() >= 0) {
                row(out, "broker heap", String.format(Locale.ROOT, "live after full GC %,d KB -> %,d KB: %.1f KB per connection",
                        cs.liveHeapBeforeKb(), cs.liveHeapAfterKb(), r.brokerLiveHeapKbPerConnection()));
            }
        }
        for (String warning : r.warnings()) {
            row(out, "warning", warning);
        }
        for (String error : r.errors()) {
            row(out, "error", error);
        }
        List<String> failures = r.failures();
        row(out, "result", failures.isEmpty() ? "OK" : "FAILED: " + String.join("; ", failures));
        out.println(RESULT_PREFIX + r.toJson());
        out.flush();
    }

    private static String percent(double value) {
        return value < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f %%", value);
    }

    private static void row(PrintWriter out, String name, String value) {
        out.printf(Locale.ROOT, "  %-14s %s%n", name, value);
    }
}
