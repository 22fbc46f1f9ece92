package io.volantmq.plugins.rewrite;

import io.volantmq.broker.Broker;
import io.volantmq.broker.BrokerConfig;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plugin in a real broker, with a real MQTT 5 client. */
class TopicRewritePluginTest {

    @Test
    void rewritesThePrefixAndEnrichesPropertiesAndJson() throws Exception {
        BrokerConfig config = BrokerConfig.builder().listener("tcp://127.0.0.1:0").persistence("memory")
                .setting("plugin.topic-rewrite.rules", "legacy/->v2/, raw/->clean/")
                .setting("plugin.topic-rewrite.enrichJson", "true").build();
        try (Broker broker = Broker.builder().config(config).plugin(new TopicRewritePlugin()).build().start()) {
            String uri = "tcp://127.0.0.1:" + broker.boundAddresses().get(0).getPort();
            BlockingQueue<Object[]> received = new LinkedBlockingQueue<>();
            MqttClient sub = new MqttClient(uri, "sub", new MemoryPersistence());
            MqttClient pub = new MqttClient(uri, "sensor-7", new MemoryPersistence());
            try {
                sub.connect(new MqttConnectionOptions());
                sub.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                    new org.eclipse.paho.mqttv5.common.MqttSubscription("#", 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(t, m) -> received.add(new Object[] {t, m})});
                pub.connect(new MqttConnectionOptions());
                pub.publish("legacy/room/1", new MqttMessage("{\"t\":21}".getBytes(StandardCharsets.UTF_8), 1, false, null));
                Object[] r = received.poll(10, TimeUnit.SECONDS);
                assertThat(r).isNotNull();
                assertThat(r[0]).isEqualTo("v2/room/1");
                MqttMessage m = (MqttMessage) r[1];
                assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).isEqualTo("{\"publisher\":\"sensor-7\",\"t\":21}");
                assertThat(m.getProperties().getUserProperties()).extracting(UserProperty::getKey)
                        .contains("x-publisher", "x-received-at");
                assertThat(m.getProperties().getUserProperties()).contains(new UserProperty("x-publisher", "sensor-7"));
                pub.publish("other/x", new MqttMessage("plain".getBytes(StandardCharsets.UTF_8), 1, false, null));
                r = received.poll(10, TimeUnit.SECONDS);
                assertThat(r[0]).isEqualTo("other/x");
                assertThat(new String(((MqttMessage) r[1]).getPayload(), StandardCharsets.UTF_8)).isEqualTo("plain");
            } finally {
                sub.disconnect();
                pub.disconnect();
                sub.close();
                pub.close();
            }
        }
    }

    @Test
    void aRuleWithoutArrowIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> TopicRewritePlugin.parse("a/->b/,broken"))
                .hasMessageContaining("volantmq.plugin.topic-rewrite.rules").hasMessageContaining("broken");
    }

    @Test
    void jsonEnrichmentLeavesNonObjectsAlone() {
        assertThat(new String(TopicRewritePlugin.enrichJson("{}".getBytes(StandardCharsets.UTF_8), "c"), StandardCharsets.UTF_8))
                .isEqualTo("{\"publisher\":\"c\"}");
        assertThat(TopicRewritePlugin.enrichJson("[1]".getBytes(StandardCharsets.UTF_8), "c"))
                .isEqualTo("[1]".getBytes(StandardCharsets.UTF_8));
    }
}
