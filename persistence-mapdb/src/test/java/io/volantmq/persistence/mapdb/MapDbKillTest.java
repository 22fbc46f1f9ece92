package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.contract.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code commit=each} under {@code kill -9}: a child process changes the store and prints every change
 * once its call returned; it is killed at a random moment while writing, the store is reopened, and
 * every printed change is there, over several rounds on the same file. (The contract's kill test
 * covers {@code commit=group} through {@code Store.sync()}.) Nothing here knows the engine: it goes
 * through the provider only.
 */
class MapDbKillTest {
    private static final int ROUNDS = 3;

    @TempDir
    Path tempDir;

    @Test
    void killDashNineMidWriteLosesNoReturnedChange() throws Exception {
        Path file = tempDir.resolve("data").resolve("volantmq.mapdb");
        Random random = new Random();
        Set<Integer> enqueued = new HashSet<>();
        Set<Long> acked = new HashSet<>();
        int next = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int stopAfter = 40 + random.nextInt(160);
            List<String> lines = runAndKill(file, next, stopAfter);
            for (String line : lines) {
                String number = line.substring(4, line.length() - " ok".length());
                if (line.startsWith("ENQ ")) {
                    enqueued.add(Integer.parseInt(number));
                } else {
                    acked.add(Long.parseLong(number));
                }
            }
            try (Store store = new MapDbProvider().open(new ProviderConfig("mapdb", Map.of("path", file.toString())))) {
                List<QueuedMessage> all = readAll(store, EachCommitWriter.ALL);
                Set<Integer> present = new HashSet<>();
                for (QueuedMessage entry : all) {
                    int n = Integer.parseInt(entry.message().topic().substring("kill/".length()));
                    assertThat(entry.message()).isEqualTo(EachCommitWriter.message(n));
                    present.add(n);
                    next = Math.max(next, n + 1);
                }
                assertThat(present).as("round " + round + ": every printed enqueue is there").containsAll(enqueued);
                for (int n : enqueued) {
                    assertThat(store.sessions().get("kill-" + n)).contains(Fixtures.session("kill-" + n));
                }
                List<QueuedMessage> partly = readAll(store, EachCommitWriter.ACKED);
                assertThat(partly).as("round " + round + ": every printed ack stays removed")
                        .noneMatch(entry -> acked.contains(entry.seq()));
                for (List<QueuedMessage> queue : List.of(all, partly)) {
                    long bytes = queue.stream().mapToLong(e -> e.message().payload().length).sum();
                    assertThat(store.messages().stats(queue == all ? EachCommitWriter.ALL : EachCommitWriter.ACKED))
                            .isEqualTo(new QueueStats(queue.size(), bytes));
                }
            }
        }
    }

    /** Starts the writer, kills it once it printed {@code stopAfter} lines, returns what it printed. */
    private static List<String> runAndKill(Path file, int first, int stopAfter) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), EachCommitWriter.class.getName(), file.toString(),
                Integer.toString(first));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> printed = new ArrayList<>();
        List<String> other = new ArrayList<>();
        try {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the child was killed
                }
            }, "each-commit-writer-output");
            reader.setDaemon(true);
            reader.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (printed.size() < stopAfter) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    fail("the writer printed " + printed.size() + " changes in 90 s (alive: " + child.isAlive() + "); output: "
                            + other.subList(Math.max(0, other.size() - 30), other.size()));
                }
                if (whole(line)) {
                    printed.add(line);
                } else {
                    other.add(line);
                }
            }
            child.destroyForcibly(); // SIGKILL, while it is in the middle of its next change
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("killed writer exits").isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(10));
            // lines printed between the last poll and the kill were returned changes too
            for (String line = lines.poll(); line != null; line = lines.poll()) {
                if (whole(line)) {
                    printed.add(line);
                }
            }
        } finally {
            child.destroyForcibly();
        }
        return printed;
    }

    /** A change the writer printed whole (a kill can cut the last line short). */
    private static boolean whole(String line) {
        return (line.startsWith("ENQ ") || line.startsWith("ACK ")) && line.endsWith(" ok");
    }

    private static List<QueuedMessage> readAll(Store store, String clientId) {
        List<QueuedMessage> all = new ArrayList<>();
        long after = 0;
        for (List<QueuedMessage> page = store.messages().read(clientId, after, 500); !page.isEmpty();
                page = store.messages().read(clientId, after, 500)) {
            all.addAll(page);
            after = page.get(page.size() - 1).seq();
        }
        return all;
    }
}
