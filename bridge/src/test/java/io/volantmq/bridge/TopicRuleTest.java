package io.volantmq.bridge;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicRuleTest {

    @Test
    void prefixesAreSwappedBothWays() {
        TopicRule r = TopicRule.parse("bridge.c.topic.1", "telemetry/# both 1 site/ cloud/site1/");
        assertThat(r.localFilter()).isEqualTo("site/telemetry/#");
        assertThat(r.remoteFilter()).isEqualTo("cloud/site1/telemetry/#");
        assertThat(r.toRemote("site/telemetry/a/b")).isEqualTo("cloud/site1/telemetry/a/b");
        assertThat(r.toLocal("cloud/site1/telemetry/x")).isEqualTo("site/telemetry/x");
        assertThat(r.toRemote("other/telemetry/a")).isNull();
        assertThat(r.toLocal("cloud/site2/telemetry/x")).isNull();
    }

    @Test
    void directionLimitsTheWay() {
        TopicRule out = TopicRule.parse("k", "a/+ out 0");
        assertThat(out.toRemote("a/b")).isEqualTo("a/b");
        assertThat(out.toLocal("a/b")).isNull();
        TopicRule in = TopicRule.parse("k", "a/+ in 2 \"\" remote/");
        assertThat(in.toRemote("a/b")).isNull();
        assertThat(in.toLocal("remote/a/b")).isEqualTo("a/b");
        assertThat(in.qos()).isEqualTo(2);
    }

    @Test
    void badRulesNameTheirKey() {
        assertThatThrownBy(() -> TopicRule.parse("bridge.c.topic.3", "a/# sideways 1"))
                .hasMessageContaining("volantmq.bridge.c.topic.3").hasMessageContaining("sideways");
        assertThatThrownBy(() -> TopicRule.parse("bridge.c.topic.3", "a/# out 3"))
                .hasMessageContaining("QoS '3'");
        assertThatThrownBy(() -> TopicRule.parse("bridge.c.topic.3", "a/#"))
                .hasMessageContaining("PATTERN out|in|both QOS");
        assertThatThrownBy(() -> TopicRule.parse("bridge.c.topic.3", "a/# out 1 si+te/"))
                .hasMessageContaining("wildcards");
    }

    @Test
    void configNeedsAnAddressAndARuleAndChecksTheScheme() {
        Map<String, String> s = new HashMap<>();
        s.put("bridges", "cloud");
        assertThatThrownBy(() -> BridgeConfig.all(s)).hasMessageContaining("volantmq.bridge.cloud.address");
        s.put("bridge.cloud.address", "http://cloud:1883");
        assertThatThrownBy(() -> BridgeConfig.all(s)).hasMessageContaining("tcp://|ssl://|ws://|wss://");
        s.put("bridge.cloud.address", "tcp://primary:1883, ssl://backup:8883");
        assertThatThrownBy(() -> BridgeConfig.all(s)).hasMessageContaining("volantmq.bridge.cloud.topic.1");
        s.put("bridge.cloud.topic.2", "b/# in 1");
        s.put("bridge.cloud.topic.1", "a/# out 1");
        BridgeConfig c = BridgeConfig.all(s).get(0);
        assertThat(c.addresses()).extracting(Object::toString).containsExactly("tcp://primary:1883", "ssl://backup:8883");
        assertThat(c.rules()).extracting(TopicRule::pattern).containsExactly("a/#", "b/#");
        assertThat(c.localClientId()).isEqualTo("$bridge/cloud");
        assertThat(c.cleanStart()).isFalse();
        s.put("bridge.cloud.keepAlive", "0");
        assertThatThrownBy(() -> BridgeConfig.all(s)).hasMessageContaining("bridge.cloud.keepAlive");
    }
}
