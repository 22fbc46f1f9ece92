package io.volantmq.broker.sys;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LoadAverageTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void startsAtZeroAndTheFirstSampleIsOnlyABaseline() {
        LoadAverage load = new LoadAverage();
        load.sample(1_000_000, 0);
        assertThat(load.oneMinute()).isZero();
        assertThat(load.fiveMinutes()).isZero();
        assertThat(load.fifteenMinutes()).isZero();
    }

    @Test
    void aSteadyRateIsReachedPerMinuteWhateverTheSamplingInterval() {
        // 10 messages a second = 600 a minute, sampled every second and every 10 seconds for an hour
        LoadAverage often = new LoadAverage();
        LoadAverage seldom = new LoadAverage();
        for (long s = 0; s <= 3600; s++) {
            often.sample(10 * s, s * SECOND);
            if (s % 10 == 0) {
                seldom.sample(10 * s, s * SECOND);
            }
        }
        assertThat(often.oneMinute()).isCloseTo(600, within(0.01));
        // an hour is four 15-minute windows: 1 - e^-4 of the way from 0
        assertThat(often.fifteenMinutes()).isCloseTo(600 * (1 - Math.exp(-4)), within(0.01));
        assertThat(seldom.oneMinute()).isCloseTo(600, within(0.01));
        assertThat(seldom.fiveMinutes()).isCloseTo(often.fiveMinutes(), within(0.01));
    }

    @Test
    void theShortWindowReactsFirst() {
        LoadAverage load = new LoadAverage();
        load.sample(0, 0);
        load.sample(600, 60 * SECOND); // one minute at 600 a minute after silence
        assertThat(load.oneMinute()).isGreaterThan(load.fiveMinutes());
        assertThat(load.fiveMinutes()).isGreaterThan(load.fifteenMinutes());
        // one window's length at a steady rate covers 1 - 1/e of the way
        assertThat(load.oneMinute()).isCloseTo(600 * (1 - Math.exp(-1)), within(0.001));
    }

    @Test
    void aCounterThatGoesBackDoesNotMakeANegativeRate() {
        LoadAverage load = new LoadAverage();
        load.sample(100, 0);
        load.sample(50, 10 * SECOND);
        assertThat(load.oneMinute()).isZero();
        load.sample(50, 10 * SECOND); // no time passed: ignored
        assertThat(load.oneMinute()).isZero();
    }
}
