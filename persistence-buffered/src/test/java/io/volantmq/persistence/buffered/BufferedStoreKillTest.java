package io.volantmq.persistence.buffered;

import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.rocksdb.RocksDbProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.volantmq.persistence.contract.Fixtures.readAll;
import static io.volantmq.persistence.contract.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The loss window, shown: a child JVM changes a BufferedStore over RocksDB at a steady pace and
 * is killed with {@code kill -9}; every change it acknowledged more than one sync interval before
 * the kill (plus a margin for the batch being written and for this machine's scheduling) is
 * there afterwards, and what is there is a prefix of what was acknowledged.
 *
 * <p>RocksDB runs with {@code fsync=false}: a killed process loses nothing the OS has, so what
 * is lost is what the buffered store held back, which is the point here. Power loss adds
 * whatever the backend itself has not synced (none with RocksDB's default {@code fsync=true}).
 */
class BufferedStoreKillTest {
    private static final long INTERVAL_MILLIS = 250;
    /** The batch in progress at the kill, pipe and scheduling delays on a small CI machine. */
    private static final long MARGIN_MILLIS = 250;

    @TempDir
    Path dir;

    @Test
    void killDashNineLosesAtMostTheLastSyncInterval() throws Exception {
        Path path = dir.resolve("rocksdb");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), BufferedCrashWriter.class.getName(), path.toString(),
                Long.toString(INTERVAL_MILLIS), "false", "2000");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<Long> ackedAt = new ArrayList<>(); // index n: when ACK n arrived
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        long killedAt;
        try {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // killed
                }
            }, "buffered-crash-writer-output");
            reader.setDaemon(true);
            reader.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long firstAck = 0;
            // run for several intervals, so the kill hits a writer with written and waiting changes
            while (firstAck == 0 || System.nanoTime() - firstAck < Duration.ofMillis(8 * INTERVAL_MILLIS).toNanos()) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    fail("the writer acknowledged " + ackedAt.size() + " changes in 60 s (alive: " + child.isAlive() + "); output: "
                            + output.subList(Math.max(0, output.size() - 30), output.size()));
                }
                if (line.startsWith("ACK ")) {
                    long now = System.nanoTime();
                    assertThat(Integer.parseInt(line.substring(4))).isEqualTo(ackedAt.size());
                    ackedAt.add(now);
                    if (firstAck == 0) {
                        firstAck = now;
                    }
                } else {
                    output.add(line);
                }
            }
            killedAt = System.nanoTime();
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("killed writer exits").isTrue();
        }

        try (Store store = new RocksDbProvider().open(new ProviderConfig("rocksdb", Map.of("path", path.toString())))) {
            List<QueuedMessage> queue = readAll(store, BufferedCrashWriter.QUEUE);
            for (int n = 0; n < queue.size(); n++) {
                assertThat(queue.get(n).message()).as("entry %d: a prefix of what was acknowledged, in order", n)
                        .isEqualTo(BufferedCrashWriter.queued(n));
            }
            long bound = killedAt - TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS + MARGIN_MILLIS);
            int mustSurvive = 0;
            while (mustSurvive < ackedAt.size() && ackedAt.get(mustSurvive) < bound) {
                mustSurvive++;
            }
            assertThat(mustSurvive).as("changes acknowledged long enough before the kill").isGreaterThan(100);
            assertThat(queue.size()).as("entries of the " + mustSurvive + " changes acknowledged more than "
                    + (INTERVAL_MILLIS + MARGIN_MILLIS) + " ms before the kill").isGreaterThanOrEqualTo(mustSurvive);
            for (int n = 0; n < mustSurvive; n++) {
                assertThat(store.sessions().get("crash-" + n)).contains(session("crash-" + n));
                assertThat(store.retained().get("crash/" + n)).contains(BufferedCrashWriter.retained(n));
            }
            int lost = ackedAt.size() - queue.size();
            long oldestLostMillis = lost <= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(killedAt - ackedAt.get(queue.size()));
            System.out.printf("buffered kill -9: %d changes acknowledged, %d lost, the oldest of them acknowledged %d ms "
                    + "before the kill (sync interval %d ms)%n", ackedAt.size(), Math.max(0, lost), oldestLostMillis, INTERVAL_MILLIS);
        }
    }
}
