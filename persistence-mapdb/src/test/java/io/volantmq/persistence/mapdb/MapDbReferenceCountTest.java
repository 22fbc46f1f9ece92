package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.contract.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A body keeps a reference count only while more than one queue holds it: most messages have one
 * subscriber, and a count for them would be one more map change when stored and one when removed.
 * Files written before that keep counts of one, and those still release their bodies.
 */
class MapDbReferenceCountTest {
    @TempDir
    Path tempDir;

    private MapDbStore open() {
        Path file = tempDir.resolve("volantmq.mapdb");
        return (MapDbStore) new MapDbProvider().open(new ProviderConfig("mapdb", Map.of("path", file.toString())));
    }

    @Test
    void aMessageForOneQueueKeepsNoCountAndASharedOneKeepsItsCountUntilTheLastReferenceGoes() {
        try (MapDbStore store = open()) {
            store.messages().enqueue(Fixtures.message("one", "a"), Fixtures.targets("c1"));
            store.messages().enqueue(Fixtures.message("two", "b"), Fixtures.targets("c1", "c2"));
            MapDbFiles files = store.files();
            assertThat(files.bodies.sizeAsLong()).isEqualTo(2);
            assertThat(files.refs.sizeAsLong()).as("counts: only the shared body has one").isEqualTo(1);

            List<QueuedMessage> c1 = store.messages().read("c1", 0, 10);
            assertThat(c1).extracting(m -> m.message().topic()).containsExactly("one", "two");
            store.messages().removeAll("c1", new long[] {c1.get(0).seq(), c1.get(1).seq()}, 2);
            assertThat(files.bodies.sizeAsLong()).as("the one-queue body is gone, the shared one stays").isEqualTo(1);
            assertThat(store.messages().read("c2", 0, 10)).extracting(m -> m.message().topic()).containsExactly("two");

            store.messages().remove("c2", store.messages().read("c2", 0, 10).get(0).seq());
            assertThat(files.bodies.sizeAsLong()).isZero();
            assertThat(files.refs.sizeAsLong()).isZero();
            assertThat(store.messages().stats("c1").messages()).isZero();
        }
    }

    @Test
    void aCountOfOneWrittenByAnEarlierBrokerStillReleasesItsBody() {
        try (MapDbStore store = open()) {
            store.messages().enqueue(Fixtures.message("old", "a"), Fixtures.targets("c1"));
            MapDbFiles files = store.files();
            long bodyId = files.bodies.firstKey();
            store.write("a count as an earlier broker wrote it", () -> files.refs.put(bodyId, 1) == null);

            store.messages().remove("c1", store.messages().read("c1", 0, 10).get(0).seq());
            assertThat(files.bodies.sizeAsLong()).isZero();
            assertThat(files.refs.sizeAsLong()).isZero();
        }
    }
}
