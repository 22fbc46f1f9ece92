package io.volantmq.persistence.buffered;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.memory.MemoryProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.volantmq.persistence.contract.Fixtures.message;
import static io.volantmq.persistence.contract.Fixtures.readAll;
import static io.volantmq.persistence.contract.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random changes and reads, the same on a BufferedStore and on a plain memory store (the model),
 * while the flusher writes at random moments and the backend fails now and then: every read
 * answers the same (queue entries compared by content, since the two number them differently),
 * and after close the backend holds exactly what the model holds.
 */
class BufferedStoreModelTest {
    private static final List<String> CLIENTS = List.of("a", "b", "c");
    private static final InflightState[] STATES = InflightState.values();

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void behavesLikeAPlainStoreWhateverTheFlusherDoes(long seed) {
        Random random = new Random(seed);
        BufferedTestBackend backend = new BufferedTestBackend();
        Store model = new MemoryProvider().open(new ProviderConfig(MemoryProvider.NAME, Map.of()));
        BufferedStore store = new BufferedStore(backend, "model-" + seed,
                BufferedStore.Options.DEFAULTS.withSyncIntervalMillis(seed % 3));
        Set<Long> goneOurs = new HashSet<>();
        Map<Long, Long> goneOursToModel = new HashMap<>();
        try {
            for (int step = 0; step < 4000; step++) {
                String client = CLIENTS.get(random.nextInt(CLIENTS.size()));
                String at = "seed " + seed + " step " + step + " client " + client;
                int op = random.nextInt(100);
                if (op < 22) {
                    List<QueueTarget> targets = new ArrayList<>();
                    for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                        targets.add(new QueueTarget(CLIENTS.get(random.nextInt(CLIENTS.size())), random.nextInt(3), random.nextBoolean(),
                                random.nextBoolean() ? List.of() : List.of(1 + random.nextInt(9))));
                    }
                    StoredMessage m = message("t/" + step, "m" + step);
                    store.messages().enqueue(m, targets);
                    model.messages().enqueue(m, targets);
                } else if (op < 40) {
                    List<QueuedMessage> ours = readAll(store, client);
                    List<QueuedMessage> theirs = readAll(model, client);
                    assertThat(content(ours)).as(at).isEqualTo(content(theirs));
                    assertThat(ours).extracting(QueuedMessage::seq).as(at).isSorted().doesNotHaveDuplicates();
                    if (!ours.isEmpty()) {
                        int k = random.nextInt(ours.size());
                        int max = 1 + random.nextInt(4);
                        assertThat(content(store.messages().read(client, ours.get(k).seq(), max))).as(at + " read after")
                                .isEqualTo(content(model.messages().read(client, theirs.get(k).seq(), max)));
                    }
                } else if (op < 55) {
                    List<QueuedMessage> ours = readAll(store, client);
                    List<QueuedMessage> theirs = readAll(model, client);
                    if (!ours.isEmpty()) {
                        int k = random.nextInt(ours.size());
                        int packetId = 1 + random.nextInt(65_535);
                        InflightState state = STATES[random.nextInt(STATES.length)];
                        store.messages().updateInflight(client, ours.get(k).seq(), packetId, state);
                        model.messages().updateInflight(client, theirs.get(k).seq(), packetId, state);
                    }
                } else if (op < 70) {
                    List<QueuedMessage> ours = readAll(store, client);
                    List<QueuedMessage> theirs = readAll(model, client);
                    if (!ours.isEmpty()) {
                        int k = random.nextInt(ours.size());
                        store.messages().remove(client, ours.get(k).seq());
                        model.messages().remove(client, theirs.get(k).seq());
                        goneOurs.add(ours.get(k).seq());
                        goneOursToModel.put(ours.get(k).seq(), theirs.get(k).seq());
                    } else if (!goneOurs.isEmpty()) {
                        long stale = goneOurs.iterator().next(); // a late ack of a gone entry changes nothing
                        store.messages().remove(client, stale);
                        store.messages().updateInflight(client, stale, 1, InflightState.SENT);
                        model.messages().remove(client, goneOursToModel.get(stale));
                    }
                } else if (op < 73) {
                    store.messages().clear(client);
                    model.messages().clear(client);
                } else if (op < 78) {
                    assertThat(store.messages().stats(client)).as(at + " stats").isEqualTo(model.messages().stats(client));
                } else if (op < 83) {
                    int packetId = 1 + random.nextInt(4);
                    if (random.nextBoolean()) {
                        store.messages().addIncomingQos2(client, packetId);
                        model.messages().addIncomingQos2(client, packetId);
                    } else {
                        store.messages().removeIncomingQos2(client, packetId);
                        model.messages().removeIncomingQos2(client, packetId);
                    }
                    assertThat(store.messages().incomingQos2(client)).as(at + " qos2").isEqualTo(model.messages().incomingQos2(client));
                } else if (op < 88) {
                    String filter = "f/" + random.nextInt(5);
                    switch (random.nextInt(4)) {
                        case 0, 1 -> {
                            StoredSubscription sub = new StoredSubscription(filter, random.nextInt(3), false, false, 0, step);
                            store.subscriptions().put(client, sub);
                            model.subscriptions().put(client, sub);
                        }
                        case 2 -> {
                            store.subscriptions().delete(client, filter);
                            model.subscriptions().delete(client, filter);
                        }
                        default -> {
                            if (random.nextInt(4) == 0) {
                                store.subscriptions().deleteAll(client);
                                model.subscriptions().deleteAll(client);
                            }
                        }
                    }
                    assertThat(store.subscriptions().get(client)).as(at + " subscriptions").isEqualTo(model.subscriptions().get(client));
                } else if (op < 94) {
                    String topic = "r/" + random.nextInt(4);
                    if (random.nextInt(3) > 0) {
                        store.retained().put(message(topic, "v" + step));
                        model.retained().put(message(topic, "v" + step));
                    } else {
                        store.retained().delete(topic);
                        model.retained().delete(topic);
                    }
                    assertThat(store.retained().count()).as(at + " retained count").isEqualTo(model.retained().count());
                    assertThat(store.retained().get(topic)).isEqualTo(model.retained().get(topic));
                    if (random.nextBoolean()) {
                        store.sessions().put(session(client));
                        model.sessions().put(session(client));
                    } else {
                        store.sessions().delete(client);
                        model.sessions().delete(client);
                    }
                    assertThat(store.sessions().get(client)).isEqualTo(model.sessions().get(client));
                } else if (op < 97) {
                    // the flusher retries until healed; a failing read after an enqueue leaves it written but unnumbered
                    switch (random.nextInt(4)) {
                        case 0 -> backend.failWhen(BufferedTestBackend::isWrite);
                        case 1 -> backend.failWhen(call -> !BufferedTestBackend.isWrite(call) && BufferedTestBackend.onFlusher());
                        default -> backend.failWrites(false);
                    }
                } else {
                    backend.failWrites(false);
                    assertThat(store.flush(10_000)).isTrue();
                }
            }
            for (String client : CLIENTS) {
                assertThat(content(readAll(store, client))).isEqualTo(content(readAll(model, client)));
            }
        } finally {
            backend.failWrites(false);
            store.close();
        }
        Store written = backend.direct();
        for (String client : CLIENTS) {
            assertThat(content(readAll(written, client))).as("written queue of " + client).isEqualTo(content(readAll(model, client)));
            assertThat(written.messages().stats(client)).isEqualTo(model.messages().stats(client));
            assertThat(written.messages().incomingQos2(client)).isEqualTo(model.messages().incomingQos2(client));
            assertThat(written.subscriptions().get(client)).isEqualTo(model.subscriptions().get(client));
            assertThat(written.sessions().get(client)).isEqualTo(model.sessions().get(client));
        }
        Set<StoredMessage> retainedWritten = new HashSet<>();
        written.retained().forEach(retainedWritten::add);
        Set<StoredMessage> retainedModel = new HashSet<>();
        model.retained().forEach(retainedModel::add);
        assertThat(retainedWritten).isEqualTo(retainedModel);
    }

    /** An entry without its seq. */
    private record Content(StoredMessage message, int qos, boolean retain, List<Integer> subscriptionIds, int packetId,
                           InflightState state) {
    }

    private static List<Content> content(List<QueuedMessage> entries) {
        return entries.stream().map(e -> new Content(e.message(), e.qos(), e.retain(), e.subscriptionIds(), e.packetId(), e.state()))
                .toList();
    }
}
