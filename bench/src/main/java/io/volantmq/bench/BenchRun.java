package io.volantmq.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.codec.MqttEncoder;

import javax.net.ssl.SSLSession;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Runs one scenario: connect every client, subscribe the listeners and wait for every SUBACK, publish
 * for the duration (or count), drain with a bounded timeout, then gather the bookkeeping from each
 * event loop and disconnect. Prints a progress line per second to {@code progress}.
 */
final class BenchRun {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** A QoS 0 drain ends after this long without any new delivery (lost messages never come). */
    private static final long QUIET_NANOS = 2 * SECOND;

    private final BenchConfig config;
    private final PrintWriter progress;
    private final RunStats stats = new RunStats();
    private final java.util.concurrent.atomic.AtomicInteger nextSubscriberPort = new java.util.concurrent.atomic.AtomicInteger();
    private final List<Sample> samples = new ArrayList<>();
    private final Topology topology;
    private final Stream[] streams;
    private final List<BenchClient> clients = new ArrayList<>();
    private final List<Publisher> publishers = new ArrayList<>();
    private final double ratePerStream;
    private final AtomicLong windowResets = new AtomicLong();
    private final AtomicBoolean tlsReported = new AtomicBoolean();
    /** The next source address of {@link #connect} (with --source-addresses). */
    private final java.util.concurrent.atomic.AtomicInteger sourceIndex = new java.util.concurrent.atomic.AtomicInteger();
    private final String runId;
    /** CPU readings over the measured time: [wall, tool cpu, broker cpu] at its start and at the stop. */
    private long[] cpuAtMeasureStart;
    private long[] cpuAtStop;
    /** Counters at the previous progress tick. */
    private long lastSent;
    private long lastDelivered;
    private long lastTick;

    BenchRun(BenchConfig config, PrintWriter progress) {
        this.config = config;
        this.progress = progress;
        this.runId = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
        this.topology = Topology.of(config, runId);
        this.streams = topology.streams().stream().map(Stream::new).toArray(Stream[]::new);
        this.ratePerStream = config.rate() > 0 ? config.rate() / streams.length : 0;
        for (Topology.ClientPlan plan : topology.clients()) {
            Publisher publisher = null;
            if (plan.publisher()) {
                Stream[] mine = new Stream[plan.publishes().length];
                for (int i = 0; i < mine.length; i++) {
                    mine[i] = streams[plan.publishes()[i]];
                }
                publisher = new Publisher(mine, config, ratePerStream, stats);
                publishers.add(publisher);
            }
            Receiver receiver = plan.subscriber()
                    ? new Receiver(streams, plan.firstStream(), plan.streamCount(), stats) : null;
            clients.add(new BenchClient(plan, config, publisher, receiver, stats));
        }
    }

    BenchResult run() throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.threads(), config.transport().ioHandlerFactory());
        try {
            return run(group);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private BenchResult run(EventLoopGroup group) throws InterruptedException {
        progress.printf(Locale.ROOT, "%s: %d publishers, %d subscribers, %d connections, MQTT %s, QoS %d, %d B, "
                        + "%d %s thread(s)%n", config.scenario().command(), topology.publishers(), topology.subscribers(),
                clients.size(), config.protocolName(), config.qos(), config.payloadSize(), config.threads(),
                config.transport().name().toLowerCase(Locale.ROOT));
        progress.printf(Locale.ROOT, "wire: %s%n", config.wire().describe());
        if (config.wire().warning() != null) {
            progress.println("*".repeat(100));
            progress.println(config.wire().warning());
            progress.println("*".repeat(100));
        }
        progress.flush();
        Bootstrap bootstrap = bootstrap(group);

        PhaseRunner phases = new PhaseRunner(config.connectConcurrency(), progress);
        if (config.warmupConnections() > 0) {
            warmUpConnections(bootstrap, phases);
        }
        long heapBefore = config.scenario() == Scenario.CONNECTIONS ? BrokerMemory.liveHeapKb(config.brokerPid()) : -1;
        long rssBefore = BrokerMemory.residentKb(config.brokerPid());
        long[] cpu0 = cpuReading();
        long t0 = cpu0[0];
        phases.run("connect", clients, client -> connect(bootstrap, client));
        long[] cpu1 = cpuReading();
        long t1 = cpu1[0];
        phases.run("subscribe", clients.stream().filter(c -> c.receiver() != null).toList(), BenchClient::subscribe);
        long t2 = System.nanoTime();
        // -Dbench.holdSeconds=N: the connections sit idle N s before the memory readings (time for jcmd by hand)
        Thread.sleep(TimeUnit.SECONDS.toMillis(Long.getLong("bench.holdSeconds", 0)));
        long rssAfter = BrokerMemory.residentKb(config.brokerPid());
        // read after RSS: the full collection it forces must not be part of what RSS shows
        long heapAfter = heapBefore < 0 ? -1 : BrokerMemory.liveHeapKb(config.brokerPid());
        long rssAfterGc = heapAfter < 0 ? -1 : BrokerMemory.residentKb(config.brokerPid());
        BenchResult.Connections connectionStats = new BenchResult.Connections(
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, rssBefore, rssAfter,
                ProcessCpu.percent(cpu0[1], cpu1[1], t1 - t0), ProcessCpu.percent(cpu0[2], cpu1[2], t1 - t0),
                heapBefore, heapAfter, rssAfterGc);

        StalledSubscribers stalled = StalledSubscribers.open(config, topology.streams().get(0).topic(), runId);
        try {
            return measure(connectionStats);
        } finally {
            stalled.close();
        }
    }

    private BenchResult measure(BenchResult.Connections connectionStats) throws InterruptedException {
        long start = System.nanoTime();
        stats.startNanos = start;
        stats.measureStartNanos = start + (long) (config.warmupSeconds() * SECOND);
        for (BenchClient client : clients) {
            if (client.publisher() != null) {
                client.startPublishing(start);
            }
        }
        long stop;
        boolean drained;
        try (Pacer pacer = ratePerStream > 0 ? new Pacer(publishers, ratePerStream, start).start() : null) {
            stop = publish(start);
            for (BenchClient client : clients) {
                if (client.publisher() != null) {
                    client.stopPublishing();
                }
            }
            drained = drain(start);
        }
        tick(start, System.nanoTime(), "drain"); // fold the last deliveries into the totals

        Receiver.Correctness correctness = gather();
        disconnectAll();
        return result(start, stop, correctness, connectionStats, drained);
    }

    private Bootstrap bootstrap(EventLoopGroup group) {
        return new Bootstrap()
                .group(group)
                .channel(config.transport().channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                // a small write buffer: a flooding publisher waits on writability, not in socket buffers
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .remoteAddress(config.host(), config.port());
    }

    /** A subscribing-only client takes the next of {@code --sub-port}'s ports, any other client {@code --port}. */
    private int port(BenchClient client) {
        List<Integer> ports = config.subscriberPorts();
        if (ports.isEmpty() || client.publisher() != null) {
            return config.port();
        }
        return ports.get(Math.floorMod(nextSubscriberPort.getAndIncrement(), ports.size()));
    }

    private CompletableFuture<Void> connect(Bootstrap bootstrap, BenchClient client) {
        Bootstrap b = bootstrap.clone();
        if (config.sourceAddresses() > 1) {
            int n = sourceIndex.getAndIncrement() % config.sourceAddresses() + 1; // 127.0.0.n, n from 1
            b.localAddress(new java.net.InetSocketAddress(
                    "127." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255), 0));
        }
        ChannelFuture future = b.handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                SslHandler tls = config.wire().initChannel(ch, config.host(), config.port(), maxFramePayload(),
                        new MqttDecoder(MqttCodec.MAX_PACKET_SIZE), MqttEncoder.INSTANCE, client);
                if (tls != null && !tlsReported.get()) {
                    tls.handshakeFuture().addListener(f -> reportTls(tls, f.isSuccess()));
                }
            }
        }).connect(config.host(), port(client));
        client.bind(future.channel());
        future.addListener(f -> {
            if (!f.isSuccess()) {
                client.connected().completeExceptionally(f.cause());
            }
        });
        return client.connected();
    }

    /**
     * Connects throw-away clients (no subscription, no publishing) and closes them again, so both JITs
     * have seen the whole connect path, TLS handshake and WebSocket upgrade included, before it is measured.
     */
    private void warmUpConnections(Bootstrap bootstrap, PhaseRunner phases) throws InterruptedException {
        RunStats ignored = new RunStats();
        List<BenchClient> warm = new ArrayList<>();
        for (int i = 0; i < config.warmupConnections(); i++) {
            warm.add(new BenchClient(new Topology.ClientPlan("b" + runId + "-warm" + i, new int[0], null, 0, 0),
                    config, null, null, ignored));
        }
        long start = System.nanoTime();
        try {
            phases.run("warm-up connect", warm, client -> connect(bootstrap, client));
        } finally {
            disconnect(warm);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.printf(Locale.ROOT, "warm-up: %,d connections opened and closed in %.2f s (%,.0f/s), not measured%n",
                warm.size(), seconds, warm.size() / seconds);
    }

    /** WebSocket frames from the broker: a whole PUBLISH of the configured payload fits in one. */
    private int maxFramePayload() {
        return Math.max(64 * 1024, config.payloadSize() + 64 * 1024);
    }

    /** Prints the first negotiated TLS session: version and cipher suite. */
    private void reportTls(SslHandler tls, boolean success) {
        if (success && tlsReported.compareAndSet(false, true)) {
            SSLSession session = tls.engine().getSession();
            progress.printf(Locale.ROOT, "TLS: %s %s%n", session.getProtocol(), session.getCipherSuite());
            progress.flush();
        }
    }

    /** Publishes until the duration is over or every quota is met; returns when publishing stopped. */
    private long publish(long start) throws InterruptedException {
        long end = start + (long) ((config.warmupSeconds() + config.durationSeconds()) * SECOND);
        long quota = totalQuota(); // finite for count runs and for 'connections' (one message per topic)
        long lastProgress = start;
        long lastCount = -1;
        long[] lastDelivered = new long[publishers.size()];
        for (long next = start + SECOND; ; next += SECOND) {
            long now = sleepUntil(config.timed() ? Math.min(next, end) : next, () -> stats.sent.sum() >= quota);
            String phase = now < stats.measureStartNanos ? "warm-up" : "run";
            if (cpuAtMeasureStart == null && now >= stats.measureStartNanos) {
                cpuAtMeasureStart = cpuReading(); // ticks fall on whole seconds, as do most warm-ups
            }
            tick(start, now, phase);
            if (config.window() > 0) {
                releaseStalledWindows(lastDelivered);
            }
            long count = stats.sent.sum() + stats.delivered.sum();
            if (count != lastCount) {
                lastCount = count;
                lastProgress = now;
            }
            if (config.timed() && now >= end || stats.sent.sum() >= quota) {
                cpuAtStop = cpuReading();
                return now;
            }
            if (!config.timed() && now - lastProgress > (long) (config.drainTimeoutSeconds() * SECOND)) {
                stats.error("no progress for " + config.drainTimeoutSeconds() + " s, giving up");
                cpuAtStop = cpuReading();
                return now;
            }
        }
    }

    private long totalQuota() {
        long total = 0;
        for (Stream s : streams) {
            if (s.quota == Long.MAX_VALUE) {
                return Long.MAX_VALUE;
            }
            total += s.quota;
        }
        return total;
    }

    /**
     * Waits for the expected deliveries (and QoS 1/2 acknowledgements), at most the drain timeout; at
     * QoS 0 also stops after a quiet spell, since lost messages never arrive.
     */
    private boolean drain(long start) throws InterruptedException {
        long now = System.nanoTime();
        long deadline = now + (long) (config.drainTimeoutSeconds() * SECOND);
        long nextTick = start + ((now - start) / SECOND + 1) * SECOND;
        long lastChange = now;
        long lastCount = -1;
        while (true) {
            if (drained()) {
                return true;
            }
            long count = stats.delivered.sum() + stats.acked.sum();
            if (count != lastCount) {
                lastCount = count;
                lastChange = now;
            }
            if (now >= deadline || config.qos() == 0 && now - lastChange >= QUIET_NANOS) {
                return false;
            }
            Thread.sleep(10);
            now = System.nanoTime();
            if (now >= nextTick) {
                tick(start, now, "drain");
                nextTick += SECOND;
            }
        }
    }

    private boolean drained() {
        long expected = expectedDeliveries();
        long sent = stats.sent.sum();
        return stats.distinctDelivered.sum() >= expected && (config.qos() == 0 || stats.acked.sum() >= sent);
    }

    private long expectedDeliveries() {
        long expected = 0;
        for (Stream s : streams) {
            expected += s.sent() * s.fanout;
        }
        return expected;
    }

    /**
     * Closed loop: a publisher whose window stayed full for a whole second without a delivery gives up
     * on what it has in flight (lost QoS 0 messages would otherwise hold the window shut forever).
     */
    private void releaseStalledWindows(long[] lastDelivered) {
        for (int i = 0; i < publishers.size(); i++) {
            Publisher publisher = publishers.get(i);
            long delivered = 0;
            for (Stream s : publisher.streams()) {
                delivered += s.delivered();
            }
            boolean stalled = delivered == lastDelivered[i] && publisher.waitingForWindow();
            lastDelivered[i] = delivered;
            if (stalled) {
                publisher.channel().eventLoop().execute(() -> {
                    long released = 0;
                    for (Stream s : publisher.streams()) {
                        released += s.forgiveInFlight();
                    }
                    windowResets.addAndGet(released);
                    publisher.pump();
                });
            }
        }
    }

    private long[] cpuReading() {
        return new long[]{System.nanoTime(), ProcessCpu.selfNanos(), ProcessCpu.processNanos(config.brokerPid())};
    }

    /** Percent of one core over the measured time: index 1 the tool, 2 the broker; -1 when unknown. */
    private double cpuPercent(int which) {
        if (cpuAtMeasureStart == null || cpuAtStop == null) {
            return -1;
        }
        return ProcessCpu.percent(cpuAtMeasureStart[which], cpuAtStop[which], cpuAtStop[0] - cpuAtMeasureStart[0]);
    }

    private long sleepUntil(long deadline, BooleanSupplier done) throws InterruptedException {
        long now;
        while ((now = System.nanoTime()) < deadline && !done.getAsBoolean()) {
            Thread.sleep(Math.max(1, Math.min(10, (deadline - now) / 1_000_000)));
        }
        return now;
    }

    /** Takes one interval's numbers, keeps them as a sample and prints the progress line. */
    private void tick(long start, long now, String phase) {
        long sent = stats.sent.sum();
        long delivered = stats.delivered.sum();
        double seconds = (now - (lastTick == 0 ? start : lastTick)) / 1e9;
        lastTick = now;
        BenchResult.Latency latency = BenchResult.Latency.of(stats.latency.interval());
        Sample sample = new Sample((now - start) / 1e9, phase, seconds > 0 ? (sent - lastSent) / seconds : 0,
                seconds > 0 ? (delivered - lastDelivered) / seconds : 0, latency.p50(), latency.p99(), latency.max());
        lastSent = sent;
        lastDelivered = delivered;
        if (seconds < 0.05) {
            return; // a sliver at the end: folded into the totals, too short for a rate
        }
        samples.add(sample);
        if (config.progress()) {
            progress.printf(Locale.ROOT, "[%5.1fs %-7s] sent %,10.0f/s  delivered %,10.0f/s  p50 %,8.0fus  "
                            + "p99 %,8.0fus  max %,8.0fus  errors %d%n", sample.seconds(), phase,
                    sample.sentPerSecond(), sample.deliveredPerSecond(), sample.latencyP50Us(), sample.latencyP99Us(),
                    sample.latencyMaxUs(), stats.errorCount());
        }
    }

    /** Reads every client's bookkeeping on its own event loop, one after another. */
    private Receiver.Correctness gather() throws InterruptedException {
        Receiver.Correctness totals = new Receiver.Correctness();
        for (BenchClient client : clients) {
            if (client.channel() == null) {
                continue;
            }
            try {
                client.channel().eventLoop().submit(() -> {
                    if (client.receiver() != null) {
                        client.receiver().addTo(totals);
                    }
                    if (client.publisher() != null) {
                        totals.unexpectedAcks += client.publisher().unexpectedAcks();
                        totals.rejected += client.publisher().rejected();
                    }
                }).get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                stats.error(client.clientId() + ": could not read its bookkeeping: " + e);
            }
        }
        return totals;
    }

    private void disconnectAll() {
        disconnect(clients);
    }

    private static void disconnect(List<BenchClient> clients) {
        List<ChannelFuture> closing = new ArrayList<>();
        for (BenchClient client : clients) {
            if (client.channel() != null && client.channel().isActive()) {
                closing.add(client.disconnect());
            }
        }
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private BenchResult result(long start, long stop, Receiver.Correctness c, BenchResult.Connections connectionStats,
                               boolean drained) {
        long measureStart = stats.measureStartNanos;
        double publishSeconds = Math.max(0, (stop - measureStart) / 1e9);
        double deliverySeconds = Math.max(0, (c.lastDeliveryNanos - measureStart) / 1e9);
        long sent = stats.sent.sum();
        BenchResult.Checks checks = new BenchResult.Checks(c.lost, c.duplicated, c.outOfOrder, c.packetIdReuse,
                c.redeliveries, c.unexpected, c.unexpectedAcks, c.rejected, windowResets.get());
        return new BenchResult(config, topology.publishers(), topology.subscribers(), clients.size(), publishSeconds,
                sent, stats.delivered.sum(), expectedDeliveries(),
                publishSeconds > 0 ? stats.measuredSent.sum() / publishSeconds : 0,
                deliverySeconds > 0 ? stats.measuredDelivered.sum() / deliverySeconds : 0,
                BenchResult.Latency.of(stats.latency.total()), checks, connectionStats, cpuPercent(1), cpuPercent(2),
                drained, stats.errorCount(),
                stats.errors(), List.copyOf(samples));
    }
}
