package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.StringPair;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.volantmq.broker.codec.Wire.assertEncodingRefused;
import static io.volantmq.broker.codec.Wire.assertFails;
import static io.volantmq.broker.codec.Wire.assertRoundTrip;
import static io.volantmq.broker.codec.Wire.assertWire;
import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.codec.Wire.decode;
import static io.volantmq.broker.codec.Wire.encode;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;
import static io.volantmq.broker.protocol.ReasonCode.PROTOCOL_ERROR;
import static io.volantmq.broker.protocol.ReasonCode.TOPIC_NAME_INVALID;
import static org.assertj.core.api.Assertions.assertThat;

class PublishCodecTest {

    @Test
    void qos0Publish() {
        byte[] packet = bytes(
                0x30, 7,                        // PUBLISH, QoS 0, remaining length 7
                0x00, 0x03, 'a', '/', 'b',      // topic name "a/b"
                'h', 'i');                      // payload "hi" (no packet id at QoS 0)
        assertWire(packet, MQTT_3_1_1, new Publish("a/b", 0, false, false, 0, bytes('h', 'i'), Properties.EMPTY));
        assertWire(packet, MQTT_3_1, new Publish("a/b", 0, false, false, 0, bytes('h', 'i'), Properties.EMPTY));
    }

    @Test
    void qos1PublishWithDupAndRetain() {
        byte[] packet = bytes(
                0x3B, 8,                        // PUBLISH, flags DUP | QoS 1 | RETAIN, remaining length 8
                0x00, 0x01, 't',                // topic name "t"
                0x00, 0x0A,                     // packet identifier 10
                0x01, 0x02, 0x03);              // payload
        assertWire(packet, MQTT_3_1_1, new Publish("t", 1, true, true, 10, bytes(1, 2, 3), Properties.EMPTY));
    }

    @Test
    void qos2PublishWithEmptyPayload() {
        byte[] packet = bytes(
                0x34, 5,                        // PUBLISH, QoS 2, remaining length 5
                0x00, 0x01, 't',                // topic name "t"
                0xFF, 0xFF);                    // packet identifier 65535; empty payload
        assertWire(packet, MQTT_3_1_1, new Publish("t", 2, false, false, 65535, new byte[0], Properties.EMPTY));
    }

    @Test
    void mqtt5PublishWithProperties() {
        byte[] packet = bytes(
                0x32, 22,                       // PUBLISH, QoS 1, remaining length 22
                0x00, 0x03, 'a', '/', 'b',      // topic name "a/b"
                0x00, 0x01,                     // packet identifier 1
                0x0D,                           // property length 13
                0x01, 0x01,                     //   payload format indicator 1
                0x02, 0x00, 0x00, 0x00, 0x3C,   //   message expiry interval 60
                0x23, 0x00, 0x05,               //   topic alias 5
                0x0B, 0x81, 0x01,               //   subscription identifier 129 (two-byte varint)
                'x');                           // payload "x"
        Properties properties = Properties.builder()
                .add(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1)
                .add(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60L)
                .add(PropertyId.TOPIC_ALIAS, 5)
                .add(PropertyId.SUBSCRIPTION_IDENTIFIER, 129).build();
        assertWire(packet, MQTT_5, new Publish("a/b", 1, false, false, 1, bytes('x'), properties));
    }

    @Test
    void everyPublishPropertyRoundTrips() {
        Properties properties = Properties.builder()
                .add(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1)
                .add(PropertyId.MESSAGE_EXPIRY_INTERVAL, 0xFFFF_FFFFL)
                .add(PropertyId.CONTENT_TYPE, "application/json")
                .add(PropertyId.RESPONSE_TOPIC, "answers/€")
                .add(PropertyId.CORRELATION_DATA, bytes(0, 0xFF))
                .add(PropertyId.SUBSCRIPTION_IDENTIFIER, 1)
                .add(PropertyId.SUBSCRIPTION_IDENTIFIER, 268_435_455) // several, largest four-byte varint
                .add(PropertyId.TOPIC_ALIAS, 65535)
                .add(PropertyId.USER_PROPERTY, new StringPair("a", "1"))
                .add(PropertyId.USER_PROPERTY, new StringPair("a", "2")).build();
        assertRoundTrip(new Publish("sensors/𝄞", 2, true, false, 7, bytes('{', '}'), properties), MQTT_5);
    }

    @Test
    void largePayloadUsesAFourByteRemainingLength() {
        byte[] payload = new byte[2_100_000];
        Arrays.fill(payload, (byte) 7);
        Publish publish = new Publish("big", 1, false, false, 3, payload, Properties.EMPTY);
        byte[] encoded = encode(publish, MQTT_3_1_1);
        assertThat(encoded[4] & 0x80).as("fourth length byte is the last").isZero();
        assertThat(encoded[3] & 0x80).as("third length byte continues").isNotZero();
        assertRoundTrip(publish, MQTT_3_1_1);
    }

    @Test
    void propertiesAreNotWrittenTo3x() {
        Properties properties = Properties.builder().add(PropertyId.CONTENT_TYPE, "text/plain").build();
        Publish withProperties = new Publish("t", 0, false, false, 0, bytes(1), properties);
        Publish without = new Publish("t", 0, false, false, 0, bytes(1), Properties.EMPTY);
        assertThat(encode(withProperties, MQTT_3_1_1)).isEqualTo(encode(without, MQTT_3_1_1));
    }

    @Test
    void emptyTopicWithTopicAliasDecodesInMqtt5() {
        byte[] packet = bytes(
                0x30, 6,                        // PUBLISH, QoS 0, remaining length 6
                0x00, 0x00,                     // topic name: empty
                0x03, 0x23, 0x00, 0x01);        // properties: topic alias 1; empty payload
        Publish publish = decode(packet, MQTT_5, Publish.class);
        assertThat(publish.topic()).isEmpty();
        assertThat(publish.properties().getInt(PropertyId.TOPIC_ALIAS)).isEqualTo(1);
    }

    @Test
    void qos3IsMalformed_MQTT_3_3_1_4() {
        byte[] packet = bytes(
                0x36, 5,                        // PUBLISH with QoS bits 11
                0x00, 0x01, 't', 0x00, 0x01);   // topic "t", packet id 1
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.3.1-4]");
    }

    @Test
    void publishQos0WithDupIsMalformed_MQTT_3_3_1_2() {
        byte[] packet = bytes(
                0x38, 3,                        // PUBLISH, DUP with QoS 0
                0x00, 0x01, 't');               // topic "t"
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.3.1-2]");
    }

    @Test
    void qos1WithPacketId0IsMalformed_MQTT_2_3_1_1() {
        byte[] packet = bytes(
                0x32, 5,                        // PUBLISH, QoS 1
                0x00, 0x01, 't',                // topic "t"
                0x00, 0x00);                    // packet identifier 0
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-2.3.1-1]");
    }

    @Test
    void topicWithSingleLevelWildcardIsTopicNameInvalid_MQTT_3_3_2_2() {
        byte[] packet = bytes(
                0x30, 5,                        // PUBLISH, QoS 0
                0x00, 0x03, 'a', '/', '+');     // topic "a/+"
        assertFails(packet, MQTT_5, TOPIC_NAME_INVALID, "[MQTT-3.3.2-2]");
    }

    @Test
    void topicWithMultiLevelWildcardIsTopicNameInvalid_MQTT_3_3_2_2() {
        byte[] packet = bytes(
                0x30, 3,                        // PUBLISH, QoS 0
                0x00, 0x01, '#');               // topic "#"
        assertFails(packet, MQTT_3_1_1, TOPIC_NAME_INVALID, "[MQTT-3.3.2-2]");
    }

    @Test
    void emptyTopicIsMalformedIn3x_MQTT_4_7_3_1() {
        byte[] packet = bytes(
                0x30, 3,                        // PUBLISH, QoS 0
                0x00, 0x00,                     // topic name: empty
                'x');                           // payload
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-4.7.3-1]");
    }

    @Test
    void emptyTopicWithoutTopicAliasIsProtocolErrorIn5() {
        byte[] packet = bytes(
                0x30, 3,                        // PUBLISH, QoS 0
                0x00, 0x00,                     // topic name: empty
                0x00);                          // property length 0: no topic alias
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "no topic alias");
    }

    @Test
    void topicAlias0IsProtocolError_MQTT_3_3_2_8() {
        byte[] packet = bytes(
                0x30, 7,                        // PUBLISH, QoS 0
                0x00, 0x01, 't',                // topic "t"
                0x03, 0x23, 0x00, 0x00);        // properties: topic alias 0
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "[MQTT-3.3.2-8]");
    }

    @Test
    void topicWithNullCharacterIsMalformed_MQTT_1_5_4_2() {
        byte[] packet = bytes(
                0x30, 4,                        // PUBLISH, QoS 0
                0x00, 0x02, 'a', 0x00);         // topic "a\0"
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-1.5.4-2]");
    }

    @Test
    void propertyLengthBeyondTheBodyIsMalformed() {
        byte[] packet = bytes(
                0x30, 6,                        // PUBLISH, QoS 0, remaining length 6
                0x00, 0x01, 't',                // topic "t"
                0x09, 0x01, 0x00);              // property length 9, but only 2 bytes follow
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "exceeds");
    }

    @Test
    void truncatedPacketIdIsMalformed() {
        byte[] packet = bytes(
                0x32, 4,                        // PUBLISH, QoS 1, remaining length 4
                0x00, 0x01, 't',                // topic "t"
                0x00);                          // half a packet identifier
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "truncated");
    }

    @Test
    void encoderRefusesWhatTheDecoderWouldReject() {
        assertEncodingRefused(new Publish("t", 0, false, true, 0, null, null), MQTT_3_1_1);   // DUP at QoS 0
        assertEncodingRefused(new Publish("t", 3, false, false, 1, null, null), MQTT_3_1_1);  // QoS 3
        assertEncodingRefused(new Publish("t", 1, false, false, 0, null, null), MQTT_3_1_1);  // packet id 0
        assertEncodingRefused(new Publish("", 0, false, false, 0, null, null), MQTT_3_1_1);   // empty topic
        assertEncodingRefused(new Publish("", 0, false, false, 0, null, null), MQTT_5);       // ... without alias
        Properties wrong = Properties.builder().add(PropertyId.REASON_STRING, "no").build();
        assertEncodingRefused(new Publish("t", 0, false, false, 0, null, wrong), MQTT_5);     // not a PUBLISH property
    }
}
