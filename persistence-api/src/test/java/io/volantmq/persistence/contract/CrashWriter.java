package io.volantmq.persistence.contract;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Providers;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The process the kill -9 test kills: opens the store named by its arguments
 * ({@code <provider name> <key>=<value>...}), then changes it in a loop and prints
 * {@code ACK <n>} once change {@code n} is durable: after the {@link Store#sync()} that follows every
 * third change. It never
 * closes the store, and stops by itself after a minute if nobody kills it.
 */
public final class CrashWriter {
    static final String QUEUE_ALL = "crash-all";
    static final String QUEUE_ACKED = "crash-acked";

    private CrashWriter() {
    }

    public static void main(String[] args) {
        String name = args[0];
        Map<String, String> values = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] pair = args[i].split("=", 2);
            values.put(pair[0], pair[1]);
        }
        Provider provider = Providers.select(name, CrashWriter.class.getClassLoader());
        Store store = provider.open(new ProviderConfig(name, values));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        for (int n = 0; System.nanoTime() < deadline; n++) {
            store.messages().enqueue(queued(n), Fixtures.targets(QUEUE_ALL, QUEUE_ACKED));
            store.sessions().put(Fixtures.session("crash-" + n));
            store.retained().put(retained(n));
            if (n % 2 == 1) {
                // the second queue also acks, so bodies lose references while the process dies
                List<QueuedMessage> oldest = store.messages().read(QUEUE_ACKED, 0, 1);
                store.messages().remove(QUEUE_ACKED, oldest.get(0).seq());
            }
            if (n % 3 != 2) {
                continue; // not acknowledged yet: a kill now may lose it
            }
            store.sync(); // every store makes what came before durable by now, whatever its durability
            System.out.println("ACK " + n);
            System.out.flush();
        }
        System.exit(2);
    }

    static StoredMessage queued(int n) {
        return Fixtures.message("crash/" + n, Fixtures.randomBytes(64 + n % 2000, n));
    }

    static StoredMessage retained(int n) {
        return Fixtures.message("crash/" + n, "retained " + n);
    }
}
