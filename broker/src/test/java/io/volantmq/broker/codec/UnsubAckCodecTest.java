package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.UnsubAck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.volantmq.broker.codec.Wire.assertFails;
import static io.volantmq.broker.codec.Wire.assertRoundTrip;
import static io.volantmq.broker.codec.Wire.assertWire;
import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.codec.Wire.encode;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;
import static org.assertj.core.api.Assertions.assertThat;

class UnsubAckCodecTest {

    @Test
    void mqtt311UnsubAckIsPacketIdOnly() {
        byte[] packet = bytes(
                0xB0, 2,                        // UNSUBACK, remaining length 2
                0x00, 0x05);                    // packet identifier 5
        assertWire(packet, MQTT_3_1_1, new UnsubAck(5, List.of(), Properties.EMPTY));
    }

    @Test
    void reasonCodesAreNotWrittenTo3x() {
        assertThat(encode(new UnsubAck(5, List.of(0x11), null), MQTT_3_1_1)).isEqualTo(bytes(0xB0, 2, 0x00, 0x05));
    }

    @Test
    void mqtt5UnsubAckWithReasonCodes() {
        byte[] packet = bytes(
                0xB0, 5,                        // UNSUBACK, remaining length 5
                0x00, 0x05,                     // packet identifier 5
                0x00,                           // property length 0
                0x00,                           // Success
                0x11);                          // No subscription existed
        assertWire(packet, MQTT_5, new UnsubAck(5, List.of(0x00, 0x11), Properties.EMPTY));
    }

    @Test
    void roundTrips() {
        Properties properties = Properties.builder().add(PropertyId.REASON_STRING, "gone").build();
        assertRoundTrip(new UnsubAck(9, List.of(0x87, 0x8F), properties), MQTT_5);
    }

    @Test
    void extraBytesIn311AreMalformed() {
        assertFails(bytes(0xB0, 3, 0x00, 0x05, 0x00), MQTT_3_1_1, MALFORMED_PACKET, "after its last field");
    }

    @Test
    void mqtt5UnsubAckWithoutReasonCodeIsMalformed() {
        assertFails(bytes(0xB0, 3, 0x00, 0x05, 0x00), MQTT_5, MALFORMED_PACKET, "without a reason code");
    }
}
