package io.volantmq.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SequenceTrackerTest {

    @Test
    void inOrderStreamHasNoLossDuplicateOrReorder() {
        SequenceTracker tracker = new SequenceTracker();
        for (long seq = 0; seq < 10_000; seq++) {
            assertThat(tracker.accept(seq)).isTrue();
        }
        assertThat(tracker.received()).isEqualTo(10_000);
        assertThat(tracker.lost(10_000)).isZero();
        assertThat(tracker.duplicates()).isZero();
        assertThat(tracker.outOfOrder()).isZero();
    }

    @Test
    void missingNumbersAreLostIncludingTheTail() {
        SequenceTracker tracker = new SequenceTracker();
        for (long seq : new long[]{0, 1, 3, 4, 7}) {
            tracker.accept(seq);
        }
        // 2, 5, 6 never came, and the publisher sent 10 (8 and 9 are missing at the end)
        assertThat(tracker.lost(10)).isEqualTo(5);
        assertThat(tracker.outOfOrder()).isZero(); // a gap is loss, not reordering
    }

    @Test
    void secondArrivalIsADuplicateAndNotCountedAsReceived() {
        SequenceTracker tracker = new SequenceTracker();
        tracker.accept(0);
        tracker.accept(1);
        assertThat(tracker.accept(1)).isFalse();
        assertThat(tracker.accept(0)).isFalse();
        assertThat(tracker.duplicates()).isEqualTo(2);
        assertThat(tracker.received()).isEqualTo(2);
        assertThat(tracker.lost(2)).isZero();
    }

    @Test
    void lateArrivalAfterAHigherNumberIsOutOfOrderNotLost() {
        SequenceTracker tracker = new SequenceTracker();
        for (long seq : new long[]{0, 2, 3, 1, 5, 4}) {
            tracker.accept(seq);
        }
        assertThat(tracker.outOfOrder()).isEqualTo(2); // 1 after 3, 4 after 5
        assertThat(tracker.lost(6)).isZero();
        assertThat(tracker.duplicates()).isZero();
    }

    @Test
    void duplicatesAreStillFoundAfterTheTrackerCompactedItsHistory() {
        SequenceTracker tracker = new SequenceTracker();
        for (long seq = 0; seq < 100_000; seq++) {
            tracker.accept(seq);
        }
        assertThat(tracker.accept(5)).isFalse();      // long below the compacted base
        assertThat(tracker.accept(99_999)).isFalse(); // the newest
        assertThat(tracker.accept(100_001)).isTrue(); // skips 100_000
        assertThat(tracker.accept(100_000)).isTrue(); // late fill
        assertThat(tracker.duplicates()).isEqualTo(2);
        assertThat(tracker.outOfOrder()).isEqualTo(1);
        assertThat(tracker.lost(100_002)).isZero();
    }

    @Test
    void compactionKeepsGapsOpen() {
        SequenceTracker tracker = new SequenceTracker();
        for (long seq = 0; seq < 50_000; seq++) {
            if (seq != 10_000) {
                tracker.accept(seq);
            }
        }
        assertThat(tracker.lost(50_000)).isEqualTo(1);
        assertThat(tracker.accept(10_000)).isTrue(); // the gap was remembered across compaction
        assertThat(tracker.lost(50_000)).isZero();
        assertThat(tracker.outOfOrder()).isEqualTo(1);
    }
}
