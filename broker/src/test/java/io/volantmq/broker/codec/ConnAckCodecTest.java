package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.ConnAck;
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
import static io.volantmq.broker.protocol.ReasonCode.PROTOCOL_ERROR;
import static org.assertj.core.api.Assertions.assertThat;

class ConnAckCodecTest {

    @Test
    void mqtt311ConnAckWithSessionPresent() {
        byte[] packet = bytes(
                0x20, 2,                        // CONNACK, remaining length 2
                0x01,                           // acknowledge flags: session present
                0x00);                          // return code 0 accepted
        assertWire(packet, MQTT_3_1_1, new ConnAck(true, ReasonCode.V3_ACCEPTED, Properties.EMPTY));
    }

    @Test
    void mqtt311ReturnCodeIsWrittenAsGiven() {
        byte[] packet = bytes(
                0x20, 2,                        // CONNACK, remaining length 2
                0x00,                           // acknowledge flags: none
                0x05);                          // return code 5 not authorized
        assertWire(packet, MQTT_3_1_1, new ConnAck(false, ReasonCode.V3_NOT_AUTHORIZED, Properties.EMPTY));
    }

    @Test
    void mqtt31HasNoSessionPresentFlag() {
        assertThat(encode(new ConnAck(true, 0, null), MQTT_3_1)).isEqualTo(bytes(
                0x20, 2,                        // CONNACK, remaining length 2
                0x00,                           // unused in 3.1
                0x00));                         // return code 0
    }

    @Test
    void mqtt5ConnAckWithProperties() {
        byte[] packet = bytes(
                0x20, 10,                       // CONNACK, remaining length 10
                0x00,                           // acknowledge flags: none
                0x00,                           // reason code Success
                0x07,                           // property length 7
                0x24, 0x01,                     //   maximum QoS 1
                0x21, 0x00, 0x0A,               //   receive maximum 10
                0x25, 0x00);                    //   retain available 0
        Properties properties = Properties.builder()
                .add(PropertyId.MAXIMUM_QOS, 1)
                .add(PropertyId.RECEIVE_MAXIMUM, 10)
                .add(PropertyId.RETAIN_AVAILABLE, 0).build();
        assertWire(packet, MQTT_5, new ConnAck(false, ReasonCode.SUCCESS, properties));
    }

    @Test
    void everyConnAckPropertyRoundTrips() {
        Properties properties = Properties.builder()
                .add(PropertyId.SESSION_EXPIRY_INTERVAL, 300L)
                .add(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, "auto-1")
                .add(PropertyId.SERVER_KEEP_ALIVE, 120)
                .add(PropertyId.AUTHENTICATION_METHOD, "PLAIN")
                .add(PropertyId.AUTHENTICATION_DATA, bytes(1))
                .add(PropertyId.RESPONSE_INFORMATION, "resp/")
                .add(PropertyId.SERVER_REFERENCE, "other:1883")
                .add(PropertyId.REASON_STRING, "welcome")
                .add(PropertyId.RECEIVE_MAXIMUM, 100)
                .add(PropertyId.TOPIC_ALIAS_MAXIMUM, 0)
                .add(PropertyId.MAXIMUM_QOS, 0)
                .add(PropertyId.RETAIN_AVAILABLE, 1)
                .add(PropertyId.USER_PROPERTY, new StringPair("node", "a"))
                .add(PropertyId.MAXIMUM_PACKET_SIZE, 268_435_460L)
                .add(PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE, 1)
                .add(PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0)
                .add(PropertyId.SHARED_SUBSCRIPTION_AVAILABLE, 1).build();
        assertRoundTrip(new ConnAck(true, ReasonCode.SUCCESS, properties), MQTT_5);
        assertRoundTrip(new ConnAck(false, ReasonCode.BANNED, null), MQTT_5);
    }

    @Test
    void propertiesAreNotWrittenTo3x() {
        Properties properties = Properties.builder().add(PropertyId.REASON_STRING, "x").build();
        assertThat(encode(new ConnAck(false, 0, properties), MQTT_3_1_1)).isEqualTo(bytes(0x20, 2, 0x00, 0x00));
    }

    @Test
    void reservedAcknowledgeFlagsAreMalformed() {
        assertFails(bytes(0x20, 2, 0x02, 0x00), MQTT_3_1_1, MALFORMED_PACKET, "reserved acknowledge flags");
    }

    @Test
    void maximumQos2IsProtocolError() {
        byte[] packet = bytes(
                0x20, 5,                        // CONNACK, remaining length 5
                0x00, 0x00,                     // flags, Success
                0x02, 0x24, 0x02);              // properties: maximum QoS 2 (only 0 or 1 may be sent)
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "must be 0 or 1");
    }

    @Test
    void maximumPacketSize0IsProtocolError() {
        byte[] packet = bytes(
                0x20, 8,                        // CONNACK, remaining length 8
                0x00, 0x00,                     // flags, Success
                0x05, 0x27, 0x00, 0x00, 0x00, 0x00); // properties: maximum packet size 0
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "must not be 0");
    }
}
