package io.volantmq.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BenchPayloadTest {

    @Test
    void headerRoundTripsIncludingLargeAndNegativeValues() {
        byte[] payload = new byte[64];
        long now = System.nanoTime();
        BenchPayload.write(payload, 0x7f01_0203, 0x0102_0304_0506_0708L, -now);

        assertThat(BenchPayload.streamId(payload)).isEqualTo(0x7f01_0203);
        assertThat(BenchPayload.seq(payload)).isEqualTo(0x0102_0304_0506_0708L);
        assertThat(BenchPayload.sentNanos(payload)).isEqualTo(-now);
        assertThat(BenchPayload.readable(payload)).isTrue();
        assertThat(BenchPayload.readable(new byte[19])).isFalse();
    }
}
