package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.broker.protocol.Unsubscribe;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.volantmq.broker.codec.Wire.assertEncodingRefused;
import static io.volantmq.broker.codec.Wire.assertFails;
import static io.volantmq.broker.codec.Wire.assertRoundTrip;
import static io.volantmq.broker.codec.Wire.assertWire;
import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;

class UnsubscribeCodecTest {

    @Test
    void mqtt311UnsubscribeWithTwoFilters() {
        byte[] packet = bytes(
                0xA2, 10,                       // UNSUBSCRIBE, reserved flags 0010, remaining length 10
                0x00, 0x05,                     // packet identifier 5
                0x00, 0x03, 'a', '/', '+',      // filter "a/+"
                0x00, 0x01, '#');               // filter "#"
        assertWire(packet, MQTT_3_1_1, new Unsubscribe(5, List.of("a/+", "#"), Properties.EMPTY));
    }

    @Test
    void mqtt5UnsubscribeWithUserProperty() {
        byte[] packet = bytes(
                0xA2, 15,                       // UNSUBSCRIBE, remaining length 15
                0x00, 0x05,                     // packet identifier 5
                0x07,                           // property length 7
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v', //   user property k=v
                0x00, 0x03, 'a', '/', 'b');     // filter "a/b"
        Properties properties = Properties.builder().add(PropertyId.USER_PROPERTY, new StringPair("k", "v")).build();
        assertWire(packet, MQTT_5, new Unsubscribe(5, List.of("a/b"), properties));
    }

    @Test
    void roundTrips() {
        assertRoundTrip(new Unsubscribe(1, List.of("a", "$share/g/b/#", "ä/ö"), null), MQTT_5);
        assertRoundTrip(new Unsubscribe(65535, List.of("x"), null), MQTT_3_1);
    }

    @Test
    void packetId0IsMalformed_MQTT_2_3_1_1() {
        assertFails(bytes(0xA2, 5, 0x00, 0x00, 0x00, 0x01, 'a'), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-2.3.1-1]");
    }

    @Test
    void unsubscribeWithoutFilterIsMalformed_MQTT_3_10_3_2() {
        assertFails(bytes(0xA2, 2, 0x00, 0x01), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.10.3-2]");
    }

    @Test
    void emptyFilterIsMalformedIn5_MQTT_4_7_3_1() {
        byte[] packet = bytes(
                0xA2, 8,                        // UNSUBSCRIBE, reserved flags 0010, remaining length 8
                0x00, 0x01,                     // packet identifier 1
                0x00,                           // property length 0
                0x00, 0x01, 'a',                // filter "a"
                0x00, 0x00);                    // filter "": zero length
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "[MQTT-4.7.3-1]");
    }

    @Test
    void emptyFilterIsMalformedIn311_MQTT_4_7_3_1() {
        byte[] packet = bytes(
                0xA2, 4,                        // UNSUBSCRIBE, remaining length 4
                0x00, 0x01,                     // packet identifier 1
                0x00, 0x00);                    // filter "": zero length
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-4.7.3-1]");
    }

    @Test
    void subscriptionIdentifierIsNotAllowedInUnsubscribe() {
        byte[] packet = bytes(
                0xA2, 8,                        // UNSUBSCRIBE
                0x00, 0x01,                     // packet identifier 1
                0x02, 0x0B, 0x01,               // properties: subscription identifier 1
                0x00, 0x01, 'a');               // filter "a"
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "not allowed in UNSUBSCRIBE");
    }

    @Test
    void unsubscribeWithFlags0IsMalformed_MQTT_2_2_2_1() {
        assertFails(bytes(0xA0, 5, 0x00, 0x01, 0x00, 0x01, 'a'), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-2.2.2-1]");
    }

    @Test
    void encoderRefusesAnEmptyUnsubscribe() {
        assertEncodingRefused(new Unsubscribe(1, List.of(), null), MQTT_5);
    }
}
