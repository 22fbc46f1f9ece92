package io.volantmq.persistence.buffered;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferedSeqMapTest {

    @Test
    void mapsBothWaysAndForgetsRemovedEntries() {
        BufferedSeqMap map = new BufferedSeqMap();
        map.add(1000, 5, 10);
        map.add(1001, 9, 20);
        map.add(1005, 12, 30);

        assertThat(map.backendSeq(1001)).isEqualTo(9);
        assertThat(map.ourSeq(12)).isEqualTo(1005);
        assertThat(map.payloadLength(1005)).isEqualTo(30);
        assertThat(map.backendSeq(1002)).isEqualTo(-1);
        assertThat(map.ourSeq(6)).isEqualTo(-1);
        assertThat(map.firstBackendSeq()).isEqualTo(5);

        map.remove(1000);
        assertThat(map.backendSeq(1000)).isEqualTo(-1);
        assertThat(map.payloadLength(1000)).isEqualTo(-1);
        assertThat(map.firstBackendSeq()).isEqualTo(9);
        assertThat(map.size()).isEqualTo(2);
        map.remove(1000);
        assertThat(map.size()).isEqualTo(2);
    }

    @Test
    void readAfterFindsWhereOurEntriesAboveASeqStart() {
        BufferedSeqMap map = new BufferedSeqMap();
        map.add(1000, 5, 1);
        map.add(1001, 9, 1);
        map.add(1005, 12, 1);

        assertThat(map.readAfter(999)).as("before all of ours: just below the first").isEqualTo(4);
        assertThat(map.readAfter(1000)).isEqualTo(5);
        assertThat(map.readAfter(1003)).as("between two of ours").isEqualTo(9);
        assertThat(map.readAfter(1005)).as("none of ours above").isEqualTo(-1);
        map.remove(1001);
        assertThat(map.readAfter(1003)).as("a removed entry still marks the place").isIn(5L, 9L);
        assertThat(new BufferedSeqMap().readAfter(7)).isEqualTo(-1);
    }

    @Test
    void refusesPairsOutOfOrder() {
        BufferedSeqMap map = new BufferedSeqMap();
        map.add(1000, 5, 1);
        assertThatThrownBy(() -> map.add(1001, 5, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> map.add(999, 6, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void agreesWithASortedMapThroughGrowthRemovalAndCompaction() {
        BufferedSeqMap map = new BufferedSeqMap();
        TreeMap<Long, Long> model = new TreeMap<>();
        Random random = new Random(7);
        long ours = 1_000_000;
        long theirs = 1;
        for (int step = 0; step < 20_000; step++) {
            if (random.nextInt(3) > 0 || model.isEmpty()) {
                ours += 1 + random.nextInt(3);
                theirs += 1 + random.nextInt(5);
                map.add(ours, theirs, (int) (theirs % 100));
                model.put(ours, theirs);
            } else {
                // mostly the oldest, as acks go, sometimes any
                Long victim = random.nextInt(4) > 0 ? model.firstKey() : model.keySet().stream().skip(random.nextInt(model.size())).findFirst().orElseThrow();
                map.remove(victim);
                model.remove(victim);
            }
            if (step % 97 == 0) {
                assertThat(map.size()).isEqualTo(model.size());
                for (var e : model.entrySet()) {
                    assertThat(map.backendSeq(e.getKey())).isEqualTo(e.getValue());
                    assertThat(map.ourSeq(e.getValue())).isEqualTo(e.getKey());
                }
                assertThat(map.firstBackendSeq()).isEqualTo(model.isEmpty() ? -1 : model.firstEntry().getValue());
            }
        }
        map.clear();
        assertThat(map.isEmpty()).isTrue();
        assertThat(map.readAfter(0)).isEqualTo(-1);
    }
}
