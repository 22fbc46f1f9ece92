package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.contract.Fixtures;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link MapDbKillTest} kills: opens the store at {@code args[0]} with
 * {@code commit=each}, starting its numbers at {@code args[1]}, and changes it in a loop, printing
 * each change once its call has returned (so it must be durable): {@code ENQ <n> ok} after message
 * {@code n} went to both queues, {@code ACK <seq> ok} after the oldest entry of the second queue was
 * removed. It never closes the store, and stops by itself after a minute if nobody kills it.
 */
public final class EachCommitWriter {
    static final String ALL = "kill-all";
    static final String ACKED = "kill-acked";

    private EachCommitWriter() {
    }

    public static void main(String[] args) {
        Store store = new MapDbProvider().open(new ProviderConfig("mapdb", Map.of("path", args[0], "commit", "each")));
        int first = Integer.parseInt(args[1]);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        for (int n = first; System.nanoTime() < deadline; n++) {
            store.messages().enqueue(message(n), Fixtures.targets(ALL, ACKED));
            store.sessions().put(Fixtures.session("kill-" + n));
            System.out.println("ENQ " + n + " ok");
            System.out.flush();
            if (n % 2 == 1) {
                List<QueuedMessage> oldest = store.messages().read(ACKED, 0, 1);
                store.messages().remove(ACKED, oldest.get(0).seq());
                System.out.println("ACK " + oldest.get(0).seq() + " ok");
                System.out.flush();
            }
        }
        System.exit(2);
    }

    static io.volantmq.persistence.StoredMessage message(int n) {
        return Fixtures.message("kill/" + n, Fixtures.randomBytes(64 + n % 3000, n));
    }
}
