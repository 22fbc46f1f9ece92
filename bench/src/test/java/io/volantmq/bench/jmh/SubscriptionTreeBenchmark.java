package io.volantmq.bench.jmh;

import io.volantmq.broker.routing.Subscriber;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.broker.routing.SubscriptionTree;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The subscription tree every PUBLISH goes through (issue 17, target 3): 10,000 exact filters
 * {@code site/S/dev/D/temp} plus 200 wildcard ones ({@code site/S/+/+/temp}, {@code site/+/dev/D/#}),
 * matched by topics spread over all of them. The tree is shared by every event loop: run with
 * {@code -t 1} and {@code -t 2} to see whether matching contends.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SubscriptionTreeBenchmark {
    private static final int SITES = 100;
    private static final int DEVICES = 100;
    private static final SubscriptionOptions QOS0 = new SubscriptionOptions(0, false, false, 0, null);

    private final SubscriptionTree tree = new SubscriptionTree();
    private final String[] topics = new String[SITES * DEVICES];

    @Setup
    public void subscribe() {
        for (int s = 0; s < SITES; s++) {
            for (int d = 0; d < DEVICES; d++) {
                String topic = "site/" + s + "/dev/" + d + "/temp";
                tree.subscribe("c-" + s + "-" + d, topic, QOS0);
                topics[s * DEVICES + d] = topic;
            }
            tree.subscribe("site-watch-" + s, "site/" + s + "/+/+/temp", QOS0);
        }
        for (int d = 0; d < DEVICES; d++) {
            tree.subscribe("dev-watch-" + d, "site/+/dev/" + d + "/#", QOS0);
        }
    }

    /** One exact match and two wildcard matches per topic. */
    @Benchmark
    public List<Subscriber> match() {
        return tree.match(topics[ThreadLocalRandom.current().nextInt(topics.length)]);
    }

    /** A topic nobody subscribed to, past the first levels: the walk ends early. */
    @Benchmark
    public List<Subscriber> matchNone() {
        return tree.match("other/" + ThreadLocalRandom.current().nextInt(SITES) + "/x");
    }
}
