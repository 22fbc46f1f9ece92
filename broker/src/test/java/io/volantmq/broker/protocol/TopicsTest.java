package io.volantmq.broker.protocol;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class TopicsTest {

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/#", "a/+/b", "+/+", "/", "a//b", "$SYS/#", "$share/g/a/#"})
    void validFilters(String filter) {
        assertThat(Topics.isValidFilter(filter)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/#/b", "a#", "#a", "a/b#", "a+", "+a/b", "a/+b", "$share/g", "$share//a",
            "$share/g+/a", "$share/g/"})
    void invalidFilters(String filter) {
        // [MQTT-4.7.1-2] [MQTT-4.7.1-3] [MQTT-4.7.3-1] [MQTT-4.8.2-1]
        assertThat(Topics.isValidFilter(filter)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"$share/g", "$share//a"})
    void sharePrefixIsAPlainLevelFor3x(String filter) {
        assertThat(Topics.isValidPlainFilter(filter)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/+", "#", "a\u0000b"})
    void invalidTopicNames(String topic) {
        assertThat(Topics.isValidTopicName(topic)).isFalse(); // [MQTT-3.3.2-2] [MQTT-4.7.3-2]
    }
}
