package io.volantmq.bench.jmh;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.PacketType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters every delivered PUBLISH updates (issue 17, target 3): packet, message and payload-byte
 * counters of {@link BrokerMetrics} on the Prometheus registry the admin endpoint uses, shared by all
 * event loops. Next to them a plain AtomicLong and a LongAdder, the contended and the striped
 * baseline. Run with {@code -t 1} and {@code -t 2}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MetricsBenchmark {
    private final BrokerMetrics metrics = new BrokerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    private final AtomicLong atomic = new AtomicLong();
    private final LongAdder adder = new LongAdder();

    /** What TrafficMetricsHandler does for one outbound PUBLISH: three counters (packet, message, payload bytes). */
    @Benchmark
    public void publishSent() {
        metrics.packetSent(PacketType.PUBLISH);
        metrics.messageSent(100);
    }

    @Benchmark
    public long atomicLong() {
        return atomic.incrementAndGet();
    }

    @Benchmark
    public void longAdder() {
        adder.increment();
    }
}
