package io.volantmq.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatencyStatsTest {

    @Test
    void percentilesOfAUniformSpreadFromOneToTenThousandMicroseconds() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int us = 1; us <= 10_000; us++) {
            recorder.record(us * 1000L);
        }
        recorder.interval();
        BenchResult.Latency latency = BenchResult.Latency.of(recorder.total());

        // three significant digits: within 0.1 % (plus one bucket) of the exact value
        assertThat(latency.count()).isEqualTo(10_000);
        assertThat(latency.p50()).isCloseTo(5_000, within(10.0));
        assertThat(latency.p99()).isCloseTo(9_900, within(15.0));
        assertThat(latency.p999()).isCloseTo(9_990, within(15.0));
        assertThat(latency.max()).isCloseTo(10_000, within(15.0));
        assertThat(latency.mean()).isCloseTo(5_000.5, within(10.0));
    }

    @Test
    void aFewSlowMessagesShowInTheTailNotTheMedian() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int i = 0; i < 990; i++) {
            recorder.record(100_000); // 100 us
        }
        for (int i = 0; i < 10; i++) {
            recorder.record(50_000_000); // 50 ms
        }
        recorder.interval();
        BenchResult.Latency latency = BenchResult.Latency.of(recorder.total());

        assertThat(latency.p50()).isCloseTo(100, within(1.0));
        assertThat(latency.p99()).isCloseTo(100, within(1.0)); // exactly 99 % are fast
        assertThat(latency.p999()).isCloseTo(50_000, within(50.0));
        assertThat(latency.max()).isCloseTo(50_000, within(50.0));
    }

    @Test
    void intervalsAddUpToTheTotal() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(1_000);
        assertThat(recorder.interval().getTotalCount()).isEqualTo(1);
        recorder.record(2_000);
        recorder.record(3_000);
        assertThat(recorder.interval().getTotalCount()).isEqualTo(2);
        assertThat(recorder.interval().getTotalCount()).isZero();
        assertThat(recorder.total().getTotalCount()).isEqualTo(3);
    }

    @Test
    void noSamplesGiveZeros() {
        BenchResult.Latency latency = BenchResult.Latency.of(new LatencyRecorder().total());
        assertThat(latency.count()).isZero();
        assertThat(latency.p99()).isZero();
    }
}
