package io.volantmq.broker.session;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceLimitsTest {

    @Test
    void defaults() {
        ResourceLimits limits = ResourceLimits.from(Map.of());
        assertThat(limits).isEqualTo(new ResourceLimits(128, 1_000, 128, 1_000_000, 256L * 1024 * 1024, 1_024));
    }

    @Test
    void levelsAreCountedBySeparators() {
        ResourceLimits limits = ResourceLimits.from(Map.of("maxTopicLevels", "3"));
        assertThat(limits.tooManyLevels("a/b/c")).isFalse();
        assertThat(limits.tooManyLevels("//")).isFalse(); // three empty levels
        assertThat(limits.tooManyLevels("a/b/c/d")).isTrue();
        assertThat(limits.tooManyLevels("///")).isTrue();
    }

    @Test
    void zeroSubscriptionsMeansUnlimited() {
        assertThat(ResourceLimits.from(Map.of("maxSubscriptionsPerClient", "0")).maySubscribeMore(1_000_000)).isTrue();
        assertThat(ResourceLimits.from(Map.of("maxSubscriptionsPerClient", "2")).maySubscribeMore(2)).isFalse();
    }

    @Test
    void aBadValueFailsWithItsKeyNamed() {
        assertThatThrownBy(() -> ResourceLimits.from(Map.of("maxTopicLevels", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTopicLevels");
        assertThatThrownBy(() -> ResourceLimits.from(Map.of("maxRetainedBytes", "lots")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRetainedBytes");
    }
}
