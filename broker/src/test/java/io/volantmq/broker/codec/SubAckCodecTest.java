package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.broker.protocol.SubAck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.volantmq.broker.codec.Wire.assertFails;
import static io.volantmq.broker.codec.Wire.assertRoundTrip;
import static io.volantmq.broker.codec.Wire.assertWire;
import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;

class SubAckCodecTest {

    @Test
    void mqtt311SubAckWithReturnCodes() {
        byte[] packet = bytes(
                0x90, 5,                        // SUBACK, remaining length 5
                0x00, 0x0A,                     // packet identifier 10
                0x00,                           // granted QoS 0
                0x02,                           // granted QoS 2
                0x80);                          // failure
        assertWire(packet, MQTT_3_1_1, new SubAck(10, List.of(0, 2, 0x80), Properties.EMPTY));
    }

    @Test
    void mqtt5SubAckWithReasonString() {
        byte[] packet = bytes(
                0x90, 10,                       // SUBACK, remaining length 10
                0x00, 0x01,                     // packet identifier 1
                0x05,                           // property length 5
                0x1F, 0x00, 0x02, 'n', 'o',     //   reason string "no"
                0x01,                           // granted QoS 1
                0x8F);                          // topic filter invalid
        Properties properties = Properties.builder().add(PropertyId.REASON_STRING, "no").build();
        assertWire(packet, MQTT_5, new SubAck(1, List.of(1, 0x8F), properties));
    }

    @Test
    void roundTrips() {
        Properties properties = Properties.builder()
                .add(PropertyId.REASON_STRING, "quota")
                .add(PropertyId.USER_PROPERTY, new StringPair("k", "v")).build();
        assertRoundTrip(new SubAck(65535, List.of(0x97, 0xA2, 0x9E), properties), MQTT_5);
        assertRoundTrip(new SubAck(2, List.of(1), null), MQTT_3_1);
    }

    @Test
    void reservedReturnCodeIsMalformedIn311_MQTT_3_9_3_2() {
        byte[] packet = bytes(
                0x90, 3,                        // SUBACK
                0x00, 0x01,                     // packet identifier 1
                0x03);                          // return code 3: reserved
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.9.3-2]");
    }

    @Test
    void subAckWithoutReturnCodeIsMalformed() {
        assertFails(bytes(0x90, 2, 0x00, 0x01), MQTT_3_1_1, MALFORMED_PACKET, "without a return code");
    }

    @Test
    void packetId0IsMalformed_MQTT_2_3_1_1() {
        assertFails(bytes(0x90, 3, 0x00, 0x00, 0x00), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-2.3.1-1]");
    }
}
