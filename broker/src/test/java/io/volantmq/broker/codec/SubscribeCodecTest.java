package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.volantmq.broker.codec.Wire.assertEncodingRefused;
import static io.volantmq.broker.codec.Wire.assertFails;
import static io.volantmq.broker.codec.Wire.assertRoundTrip;
import static io.volantmq.broker.codec.Wire.assertWire;
import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.codec.Wire.decode;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;
import static io.volantmq.broker.protocol.ReasonCode.PROTOCOL_ERROR;
import static org.assertj.core.api.Assertions.assertThat;

class SubscribeCodecTest {

    @Test
    void mqtt311SubscribeWithTwoFilters() {
        byte[] packet = bytes(
                0x82, 12,                       // SUBSCRIBE, reserved flags 0010, remaining length 12
                0x00, 0x0A,                     // packet identifier 10
                0x00, 0x03, 'a', '/', '+',      // filter "a/+"
                0x01,                           //   requested QoS 1
                0x00, 0x01, '#',                // filter "#"
                0x02);                          //   requested QoS 2
        assertWire(packet, MQTT_3_1_1, new Subscribe(10,
                List.of(Subscription.of("a/+", 1), Subscription.of("#", 2)), Properties.EMPTY));
    }

    @Test
    void mqtt5SubscribeWithOptionsAndSubscriptionIdentifier() {
        byte[] packet = bytes(
                0x82, 11,                       // SUBSCRIBE, remaining length 11
                0x00, 0x01,                     // packet identifier 1
                0x02,                           // property length 2
                0x0B, 0x2A,                     //   subscription identifier 42
                0x00, 0x03, 'a', '/', 'b',      // filter "a/b"
                0x2D);                          //   options: retain handling 2, retain as published, no local, QoS 1
        Subscription subscription = new Subscription("a/b", 1, true, true, 2);
        Properties properties = Properties.builder().add(PropertyId.SUBSCRIPTION_IDENTIFIER, 42).build();
        assertWire(packet, MQTT_5, new Subscribe(1, List.of(subscription), properties));
    }

    @Test
    void roundTripsWithUserProperties() {
        Properties properties = Properties.builder()
                .add(PropertyId.SUBSCRIPTION_IDENTIFIER, 268_435_455)
                .add(PropertyId.USER_PROPERTY, new StringPair("x", "y")).build();
        assertRoundTrip(new Subscribe(7, List.of(new Subscription("$share/g/a/#", 2, false, true, 1),
                new Subscription("b", 0, true, false, 0)), properties), MQTT_5);
        assertRoundTrip(new Subscribe(7, List.of(Subscription.of("a", 0), Subscription.of("b/#", 2)), null),
                MQTT_3_1);
    }

    @Test
    void badFilterSyntaxIsLeftToTheBroker() {
        byte[] packet = bytes(
                0x82, 8,                        // SUBSCRIBE, remaining length 8
                0x00, 0x01,                     // packet identifier 1
                0x00, 0x03, 'a', '#', 'b',      // filter "a#b": wrong, but the broker answers with SUBACK 0x80/0x8F
                0x00);                          //   QoS 0
        assertThat(decode(packet, MQTT_3_1_1, Subscribe.class).subscriptions().get(0).filter()).isEqualTo("a#b");
    }

    @Test
    void mqtt31AllowsDupOnAResentSubscribe() {
        byte[] packet = bytes(
                0x8A, 6,                        // SUBSCRIBE, flags DUP | QoS 1 (3.1 retransmission)
                0x00, 0x01, 0x00, 0x01, 'a', 0x00);
        assertThat(decode(packet, MQTT_3_1, Subscribe.class).packetId()).isEqualTo(1);
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-2.2.2-1]");
    }

    @Test
    void packetId0IsMalformed_MQTT_2_3_1_1() {
        byte[] packet = bytes(
                0x82, 6,                        // SUBSCRIBE
                0x00, 0x00,                     // packet identifier 0
                0x00, 0x01, 'a', 0x00);         // filter "a", QoS 0
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-2.3.1-1]");
    }

    @Test
    void subscribeWithoutFilterIsMalformed_MQTT_3_8_3_3() {
        assertFails(bytes(0x82, 2, 0x00, 0x01), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.8.3-3]");
        assertFails(bytes(0x82, 3, 0x00, 0x01, 0x00), MQTT_5, MALFORMED_PACKET, "[MQTT-3.8.3-3]");
    }

    @Test
    void emptyFilterIsMalformedIn5_MQTT_4_7_3_1() {
        byte[] packet = bytes(
                0x82, 10,                       // SUBSCRIBE, remaining length 10
                0x00, 0x01,                     // packet identifier 1
                0x00,                           // property length 0
                0x00, 0x01, 'a',                // filter "a"
                0x01,                           //   options: QoS 1
                0x00, 0x00,                     // filter "": zero length
                0x00);                          //   options: QoS 0
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "[MQTT-4.7.3-1]");
    }

    @Test
    void emptyFilterIsMalformedIn311_MQTT_4_7_3_1() {
        byte[] packet = bytes(
                0x82, 5,                        // SUBSCRIBE, remaining length 5
                0x00, 0x01,                     // packet identifier 1
                0x00, 0x00,                     // filter "": zero length
                0x01);                          //   requested QoS 1
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-4.7.3-1]");
    }

    @Test
    void requestedQos3IsMalformedIn311_MQTT_3_8_3_4() {
        byte[] packet = bytes(
                0x82, 6,                        // SUBSCRIBE
                0x00, 0x01, 0x00, 0x01, 'a',    // packet identifier 1, filter "a"
                0x03);                          //   requested QoS 3
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3-8.3-4]");
    }

    @Test
    void reservedOptionBitsAreMalformedIn311_MQTT_3_8_3_4() {
        byte[] packet = bytes(
                0x82, 6,                        // SUBSCRIBE
                0x00, 0x01, 0x00, 0x01, 'a',    // packet identifier 1, filter "a"
                0x04);                          //   bit 2 (no local in 5.0) is reserved in 3.1.1
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3-8.3-4]");
    }

    @Test
    void reservedOptionBitsAreMalformedIn5_MQTT_3_8_3_5() {
        byte[] packet = bytes(
                0x82, 7,                        // SUBSCRIBE
                0x00, 0x01, 0x00,               // packet identifier 1, no properties
                0x00, 0x01, 'a',                // filter "a"
                0x40);                          //   reserved bit 6
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "[MQTT-3.8.3-5]");
    }

    @Test
    void maximumQos3IsProtocolErrorIn5() {
        byte[] packet = bytes(
                0x82, 7,                        // SUBSCRIBE
                0x00, 0x01, 0x00,               // packet identifier 1, no properties
                0x00, 0x01, 'a',                // filter "a"
                0x03);                          //   maximum QoS 3 (spec 3.8.3.1)
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "3.8.3.1");
    }

    @Test
    void retainHandling3IsProtocolError() {
        byte[] packet = bytes(
                0x82, 7,                        // SUBSCRIBE
                0x00, 0x01, 0x00,               // packet identifier 1, no properties
                0x00, 0x01, 'a',                // filter "a"
                0x30);                          //   retain handling 3 (spec 3.8.3.1)
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "retain handling 3");
    }

    @Test
    void subscriptionIdentifier0IsProtocolError() {
        byte[] packet = bytes(
                0x82, 9,                        // SUBSCRIBE
                0x00, 0x01,                     // packet identifier 1
                0x02, 0x0B, 0x00,               // properties: subscription identifier 0
                0x00, 0x01, 'a', 0x00);         // filter "a", QoS 0
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "(spec 3.8.2.1.2)");
    }

    @Test
    void twoSubscriptionIdentifiersAreProtocolError() {
        byte[] packet = bytes(
                0x82, 11,                       // SUBSCRIBE
                0x00, 0x01,                     // packet identifier 1
                0x04, 0x0B, 0x01, 0x0B, 0x02,   // properties: subscription identifiers 1 and 2
                0x00, 0x01, 'a', 0x00);         // filter "a", QoS 0
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "more than once");
    }

    @Test
    void filterThatIsNotUtf8IsMalformed_MQTT_1_5_4_1() {
        byte[] packet = bytes(
                0x82, 8,                        // SUBSCRIBE
                0x00, 0x01,                     // packet identifier 1
                0x00, 0x03, 0xED, 0xA0, 0x80,   // filter: an encoded surrogate U+D800
                0x00);                          //   QoS 0
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-1.5.4-1]");
    }

    @Test
    void filterWithoutOptionsByteIsMalformed() {
        byte[] packet = bytes(
                0x82, 5,                        // SUBSCRIBE
                0x00, 0x01,                     // packet identifier 1
                0x00, 0x01, 'a');               // filter "a" and no options byte
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "truncated");
    }

    @Test
    void encoderRefusesAnEmptySubscribe() {
        assertEncodingRefused(new Subscribe(1, List.of(), null), MQTT_3_1_1);
    }
}
