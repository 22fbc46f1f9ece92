package io.volantmq.broker.session;

import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TopicAliasesTest {
    private static final Properties ORIGINAL = Properties.builder().add(PropertyId.CONTENT_TYPE, "text/plain").build();

    private static Publish publish(String topic) {
        return new Publish(topic, 1, false, false, 9, "x".getBytes(), ORIGINAL);
    }

    private static String wire(Publish p) {
        return p.topic() + "#" + p.properties().getInt(PropertyId.TOPIC_ALIAS);
    }

    @Test
    void firstSendMapsLaterSendsUseTheAliasAloneAndTheLeastRecentlyUsedGivesItsNumberUp() {
        TopicAliases aliases = new TopicAliases(2);
        assertThat(wire(aliases.apply(publish("a"), p -> true))).isEqualTo("a#1");
        assertThat(wire(aliases.apply(publish("a"), p -> true))).isEqualTo("#1");
        assertThat(wire(aliases.apply(publish("b"), p -> true))).isEqualTo("b#2");
        assertThat(wire(aliases.apply(publish("a"), p -> true))).isEqualTo("#1"); // b is now least recently used
        assertThat(wire(aliases.apply(publish("c"), p -> true))).isEqualTo("c#2"); // b gives up 2
        assertThat(wire(aliases.apply(publish("b"), p -> true))).isEqualTo("b#1"); // a gives up 1
        assertThat(wire(aliases.apply(publish("c"), p -> true))).isEqualTo("#2");
        assertThat(aliases.size()).isEqualTo(2);
    }

    @Test
    void theMessageItselfIsNeverChangedAndItsOtherPropertiesStay() {
        TopicAliases aliases = new TopicAliases(1);
        Publish shared = publish("t");
        Publish first = aliases.apply(shared, p -> true);
        Publish second = aliases.apply(shared, p -> true);
        assertThat(shared.topic()).isEqualTo("t");
        assertThat(shared.properties()).isEqualTo(ORIGINAL);
        assertThat(first.properties().getString(PropertyId.CONTENT_TYPE)).isEqualTo("text/plain");
        assertThat(second.properties().getString(PropertyId.CONTENT_TYPE)).isEqualTo("text/plain");
        assertThat(second.topic()).isEmpty();
    }

    @Test
    void aResentMessageKeepsItsFullTopicAndNoAlias() {
        TopicAliases aliases = new TopicAliases(4);
        aliases.apply(publish("t"), p -> true);
        Publish dup = new Publish("t", 1, false, true, 9, "x".getBytes(), ORIGINAL);
        assertThat(aliases.apply(dup, p -> true)).isSameAs(dup);
    }

    @Test
    void aMappingThatWouldExceedTheClientsMaximumPacketSizeIsNotMade() {
        TopicAliases aliases = new TopicAliases(4);
        Publish plain = publish("sensors/1");
        int limit = MqttCodec.encodedSize(plain, ProtocolVersion.MQTT_5); // the alias property would add 3 bytes
        Publish sent = aliases.apply(plain, p -> MqttCodec.encodedSize(p, ProtocolVersion.MQTT_5) <= limit);
        assertThat(sent).isSameAs(plain);
        assertThat(aliases.size()).isZero();
        // with room, the mapping is made, and the next send is smaller than the plain one
        assertThat(wire(aliases.apply(plain, p -> true))).isEqualTo("sensors/1#1");
        Publish aliased = aliases.apply(plain, p -> MqttCodec.encodedSize(p, ProtocolVersion.MQTT_5) <= limit);
        assertThat(wire(aliased)).isEqualTo("#1");
    }
}
