package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.StringPair;
import org.junit.jupiter.api.Test;

import static io.volantmq.broker.codec.Wire.assertFails;
import static io.volantmq.broker.codec.Wire.assertRoundTrip;
import static io.volantmq.broker.codec.Wire.assertWire;
import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.codec.Wire.encode;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;
import static org.assertj.core.api.Assertions.assertThat;

class DisconnectCodecTest {

    @Test
    void mqtt3xDisconnectIsEmpty() {
        assertWire(bytes(0xE0, 0x00), MQTT_3_1_1, Disconnect.NORMAL); // DISCONNECT, remaining length 0
        assertWire(bytes(0xE0, 0x00), MQTT_3_1, Disconnect.NORMAL);
    }

    @Test
    void reasonAndPropertiesAreNotWrittenTo3x() {
        Disconnect disconnect = new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN,
                Properties.builder().add(PropertyId.REASON_STRING, "bye").build());
        assertThat(encode(disconnect, MQTT_3_1_1)).isEqualTo(bytes(0xE0, 0x00));
    }

    @Test
    void mqtt3xDisconnectWithABodyIsMalformed() {
        assertFails(bytes(0xE0, 0x01, 0x00), MQTT_3_1_1, MALFORMED_PACKET, "after its last field");
    }

    @Test
    void mqtt5NormalDisconnectionWithoutPropertiesIsEmpty() {
        assertWire(bytes(0xE0, 0x00), MQTT_5, Disconnect.NORMAL); // DISCONNECT, remaining length 0
    }

    @Test
    void mqtt5ReasonCodeWithoutProperties() {
        byte[] packet = bytes(
                0xE0, 1,                        // DISCONNECT, remaining length 1: no property length
                0x04);                          // Disconnect with Will Message
        assertWire(packet, MQTT_5, new Disconnect(ReasonCode.DISCONNECT_WITH_WILL, Properties.EMPTY));
    }

    @Test
    void mqtt5ReasonCodeWithProperties() {
        byte[] packet = bytes(
                0xE0, 11,                       // DISCONNECT, remaining length 11
                0x8B,                           // Server shutting down
                0x09,                           // property length 9
                0x11, 0x00, 0x00, 0x00, 0x00,   //   session expiry interval 0
                0x1F, 0x00, 0x01, '!');         //   reason string "!"
        Properties properties = Properties.builder()
                .add(PropertyId.SESSION_EXPIRY_INTERVAL, 0L)
                .add(PropertyId.REASON_STRING, "!").build();
        assertWire(packet, MQTT_5, new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN, properties));
    }

    @Test
    void everyDisconnectPropertyRoundTrips() {
        Properties properties = Properties.builder()
                .add(PropertyId.SESSION_EXPIRY_INTERVAL, 10L)
                .add(PropertyId.SERVER_REFERENCE, "b:1883")
                .add(PropertyId.REASON_STRING, "moved")
                .add(PropertyId.USER_PROPERTY, new StringPair("k", "v")).build();
        assertRoundTrip(new Disconnect(ReasonCode.SERVER_MOVED, properties), MQTT_5);
        assertRoundTrip(new Disconnect(ReasonCode.NORMAL_DISCONNECTION, properties), MQTT_5);
    }

    @Test
    void propertyNotAllowedInDisconnectIsMalformed() {
        byte[] packet = bytes(
                0xE0, 5,                        // DISCONNECT, remaining length 5
                0x00,                           // Normal disconnection
                0x03, 0x21, 0x00, 0x01);        // properties: receive maximum (a CONNECT property)
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "not allowed in DISCONNECT");
    }
}
