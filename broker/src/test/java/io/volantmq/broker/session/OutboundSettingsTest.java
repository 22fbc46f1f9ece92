package io.volantmq.broker.session;

import io.volantmq.broker.BrokerConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutboundSettingsTest {

    @Test
    void defaultsAndValuesAreReadOnce() {
        assertThat(OutboundSettings.from(BrokerConfig.builder().build())).isEqualTo(OutboundSettings.DEFAULTS);
        OutboundSettings set = OutboundSettings.from(BrokerConfig.builder().setting("unwritableTimeout", "0")
                .setting("outboundTopicAliases", "false").setting("outboundTopicAliasMaximum", "10").build());
        assertThat(set).isEqualTo(new OutboundSettings(0, false, 10));
    }

    @Test
    void badValuesFailWithTheKeyNamed() {
        assertThatThrownBy(() -> OutboundSettings.from(BrokerConfig.builder().setting("unwritableTimeout", "-1").build()))
                .hasMessageContaining("unwritableTimeout");
        assertThatThrownBy(() -> OutboundSettings.from(BrokerConfig.builder().setting("outboundTopicAliases", "yes").build()))
                .hasMessageContaining("outboundTopicAliases");
        assertThatThrownBy(() -> OutboundSettings.from(BrokerConfig.builder()
                .setting("outboundTopicAliasMaximum", "0").build())).hasMessageContaining("outboundTopicAliasMaximum");
    }
}
