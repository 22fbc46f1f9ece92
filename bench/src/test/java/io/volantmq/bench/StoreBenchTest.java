package io.volantmq.bench;

import io.volantmq.bench.StoreSettings.Mode;
import io.volantmq.bench.StoreSettings.Phase;
import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.Providers;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.SubscriptionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The accounting of {@code bench store} on tiny counts over the memory backend: what each phase
 * reports must add up, and a store that loses messages must fail the run. No timing is asserted.
 */
@Timeout(60) // a guard against a hang, not a performance assertion
class StoreBenchTest {

    /** Phases end by count (the duration is far away), so every number is exact. */
    private static StoreSettings settings(List<Mode> modes, long recoveryMessages, int recoveryQueues) {
        return new StoreSettings("memory", Map.of(), Map.of(), null, 600, 200, 2, 64, 3,
                Set.of(Phase.APPEND, Phase.FAN_OUT, Phase.CYCLE, Phase.RECOVERY), modes, recoveryMessages,
                recoveryQueues, 50, "test", true);
    }

    private static StoreResult run(StoreSettings settings, StoreBench.Backend backend) throws InterruptedException {
        return new StoreBench(settings, backend, new PrintWriter(Writer.nullWriter())).run();
    }

    private static StoreResult.Load load(StoreResult r, Phase phase, Mode mode, int threads) {
        return r.loads().stream().filter(l -> l.phase() == phase && l.mode() == mode && l.threads() == threads)
                .findFirst().orElseThrow();
    }

    @Test
    void memoryBackendPhasesAddUpAndTheResultLineSaysSo() throws InterruptedException {
        StoreResult r = run(settings(List.of(Mode.SYNC, Mode.BUFFERED), 500, 7), StoreBench.Backend.provider("memory"));

        assertThat(r.failures()).isEmpty();
        // buffered mode is for durable backends only: three phases, single-threaded and with 2 threads
        assertThat(r.loads()).hasSize(6).allSatisfy(l -> {
            assertThat(l.mode()).isEqualTo(Mode.SYNC);
            assertThat(l.ops()).isEqualTo(200);
            assertThat(l.problems()).isEmpty();
        });
        assertThat(load(r, Phase.APPEND, Mode.SYNC, 2).entries()).isEqualTo(200);
        assertThat(load(r, Phase.FAN_OUT, Mode.SYNC, 1).entries()).isEqualTo(600);
        assertThat(load(r, Phase.CYCLE, Mode.SYNC, 2).latency().p50()).isPositive();
        StoreResult.Recovery recovery = r.recovery();
        assertThat(recovery.reopened()).isFalse();
        assertThat(recovery.readMessages()).isEqualTo(500);
        assertThat(recovery.sessions()).isEqualTo(7);
        assertThat(recovery.problems()).isEmpty();

        String json = r.toJson();
        assertThat(json).startsWith("{").endsWith("}")
                .contains("\"backend\":\"memory\"", "\"append_sync_t1_ops\":200", "\"fanout_sync_tn_entries_per_s\":",
                        "\"cycle_sync_tn_ops\":200", "\"recovery_read_messages\":500", "\"recovery_reopened\":false",
                        "\"ok\":true")
                .doesNotContain("buffered");
    }

    @Test
    void aDurableBackendIsReopenedAndMeasuredThroughTheBuffer() throws InterruptedException {
        KeptStore backend = new KeptStore(0);
        StoreResult r = run(settings(List.of(Mode.SYNC, Mode.BUFFERED), 300, 4), backend);

        assertThat(r.failures()).isEmpty();
        assertThat(r.loads()).hasSize(12);
        StoreResult.Load cycle = load(r, Phase.CYCLE, Mode.BUFFERED, 1);
        assertThat(cycle.ops()).isEqualTo(200);
        assertThat(cycle.buffer()).isNotNull();
        assertThat(load(r, Phase.FAN_OUT, Mode.BUFFERED, 2).entries()).isEqualTo(600);
        // sync phases go to the store itself: 200 + 200 appends, 2 x 200 fan-out messages, 2 x 200 cycles
        assertThat(backend.enqueues.get()).isGreaterThanOrEqualTo(1200);
        StoreResult.Recovery recovery = r.recovery();
        assertThat(recovery.reopened()).isTrue();
        assertThat(recovery.readMessages()).isEqualTo(300);
        assertThat(backend.opens.get()).isEqualTo(4); // sync, buffered, fill, the timed reopen
        assertThat(r.toJson()).contains("\"cycle_buffered_t1_ops\":200", "\"recovery_reopened\":true", "\"ok\":true");
    }

    @Test
    void aStoreThatLosesMessagesFailsTheRun() throws InterruptedException {
        StoreResult r = run(settings(List.of(Mode.SYNC), 100, 3), new KeptStore(10)); // drops every 10th enqueue

        assertThat(r.ok()).isFalse();
        assertThat(load(r, Phase.APPEND, Mode.SYNC, 1).problems()).singleElement().asString()
                .contains("holds 180 entries", "expected 200");
        assertThat(load(r, Phase.CYCLE, Mode.SYNC, 1).problems()).singleElement().asString()
                .startsWith("20 cycles read something other than the message just queued");
        assertThat(r.recovery().problems()).anySatisfy(p -> assertThat(p).contains("read 91 of 100"));
        assertThat(r.toJson()).contains("\"ok\":false", "\"first_problem\":");
    }

    @Test
    void theCommandPrintsATableAndOneResultLine() {
        StringWriter out = new StringWriter();
        CommandLine line = Bench.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(Writer.nullWriter()));
        int exit = line.execute("store", "--backend", "memory", "--count", "50", "--threads", "2",
                "--phases", "append,cycle", "--quiet");

        assertThat(exit).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).filteredOn(l -> l.startsWith("RESULT ")).singleElement().asString()
                .contains("\"scenario\":\"store\"", "\"append_sync_t1_ops\":50", "\"cycle_sync_tn_ops\":50")
                .doesNotContain("fanout", "recovery");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("  result").endsWith("OK"));
        assertThat(line.execute("store", "--phases", "nonsense")).isEqualTo(2);
    }

    /**
     * A "durable" backend made of one memory store that survives close, and optionally loses every
     * n-th enqueue without saying so.
     */
    private static final class KeptStore implements StoreBench.Backend {
        final Store kept = Providers.select("memory", StoreBenchTest.class.getClassLoader())
                .open(new io.volantmq.persistence.ProviderConfig("memory", Map.of()));
        final int loseEvery;
        final AtomicInteger enqueues = new AtomicInteger();
        final AtomicInteger opens = new AtomicInteger();

        KeptStore(int loseEvery) {
            this.loseEvery = loseEvery;
        }

        @Override
        public String name() {
            return "kept";
        }

        @Override
        public boolean durable() {
            return loseEvery == 0;
        }

        @Override
        public Store open(Map<String, String> settings) {
            opens.incrementAndGet();
            MessageStore real = kept.messages();
            MessageStore messages = new MessageStore() {
                @Override
                public void enqueue(StoredMessage message, List<QueueTarget> targets) {
                    if (loseEvery > 0 && StoreBench.index(message) % loseEvery == loseEvery - 1) {
                        return;
                    }
                    enqueues.incrementAndGet();
                    real.enqueue(message, targets);
                }

                @Override
                public List<QueuedMessage> read(String clientId, long afterSeq, int max) {
                    return real.read(clientId, afterSeq, max);
                }

                @Override
                public void updateInflight(String clientId, long seq, int packetId, InflightState state) {
                    real.updateInflight(clientId, seq, packetId, state);
                }

                @Override
                public void remove(String clientId, long seq) {
                    real.remove(clientId, seq);
                }

                @Override
                public void clear(String clientId) {
                    real.clear(clientId);
                }

                @Override
                public QueueStats stats(String clientId) {
                    return real.stats(clientId);
                }

                @Override
                public void addIncomingQos2(String clientId, int packetId) {
                    real.addIncomingQos2(clientId, packetId);
                }

                @Override
                public void removeIncomingQos2(String clientId, int packetId) {
                    real.removeIncomingQos2(clientId, packetId);
                }

                @Override
                public Set<Integer> incomingQos2(String clientId) {
                    return real.incomingQos2(clientId);
                }
            };
            return new Store() {
                @Override
                public SessionStore sessions() {
                    return kept.sessions();
                }

                @Override
                public SubscriptionStore subscriptions() {
                    return kept.subscriptions();
                }

                @Override
                public RetainedStore retained() {
                    return kept.retained();
                }

                @Override
                public MessageStore messages() {
                    return messages;
                }

                @Override
                public int maxConcurrency() {
                    return 2;
                }

                @Override
                public void close() {
                    // kept: what was written is there at the next open, like a durable store
                }
            };
        }
    }
}
