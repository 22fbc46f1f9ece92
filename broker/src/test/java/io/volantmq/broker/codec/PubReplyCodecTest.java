package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.StringPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.volantmq.broker.codec.Wire.assertFails;
import static io.volantmq.broker.codec.Wire.assertRoundTrip;
import static io.volantmq.broker.codec.Wire.assertWire;
import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.codec.Wire.encode;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;
import static org.assertj.core.api.Assertions.assertThat;

/** PUBACK, PUBREC, PUBREL, PUBCOMP: one shape. */
class PubReplyCodecTest {

    @Test
    void pubAckIn311IsPacketIdOnly() {
        byte[] packet = bytes(
                0x40, 2,                        // PUBACK, remaining length 2
                0x12, 0x34);                    // packet identifier 0x1234
        assertWire(packet, MQTT_3_1_1, PubReply.of(PacketType.PUBACK, 0x1234));
    }

    @Test
    void pubRelCarriesFlags0010() {
        byte[] packet = bytes(
                0x62, 2,                        // PUBREL, reserved flags 0010, remaining length 2
                0x00, 0x07);                    // packet identifier 7
        assertWire(packet, MQTT_3_1_1, PubReply.of(PacketType.PUBREL, 7));
    }

    @Test
    void mqtt5SuccessWithoutPropertiesUsesTheShortestForm() {
        byte[] packet = bytes(
                0x50, 2,                        // PUBREC, remaining length 2: reason code left out
                0x00, 0x07);                    // packet identifier 7
        assertWire(packet, MQTT_5, PubReply.of(PacketType.PUBREC, 7));
    }

    @Test
    void mqtt5ReasonCodeWithoutProperties() {
        byte[] packet = bytes(
                0x40, 3,                        // PUBACK, remaining length 3: no property length
                0x00, 0x07,                     // packet identifier 7
                0x10);                          // reason code 0x10 No matching subscribers
        assertWire(packet, MQTT_5,
                new PubReply(PacketType.PUBACK, 7, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY));
    }

    @Test
    void mqtt5ReasonCodeWithProperties() {
        byte[] packet = bytes(
                0x70, 9,                        // PUBCOMP, remaining length 9
                0x00, 0x07,                     // packet identifier 7
                0x92,                           // reason code 0x92 Packet identifier not found
                0x05,                           // property length 5
                0x1F, 0x00, 0x02, 'n', 'o');    //   reason string "no"
        Properties properties = Properties.builder().add(PropertyId.REASON_STRING, "no").build();
        assertWire(packet, MQTT_5,
                new PubReply(PacketType.PUBCOMP, 7, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, properties));
    }

    @Test
    void mqtt5ReasonCodeAndEmptyPropertyLengthDecode() {
        byte[] packet = bytes(
                0x40, 4,                        // PUBACK, remaining length 4
                0x00, 0x07,                     // packet identifier 7
                0x00,                           // reason code Success
                0x00);                          // property length 0
        assertThat(Wire.decode(packet, MQTT_5)).isEqualTo(PubReply.of(PacketType.PUBACK, 7));
    }

    @ParameterizedTest
    @EnumSource(value = PacketType.class, names = {"PUBACK", "PUBREC", "PUBREL", "PUBCOMP"})
    void everyReplyRoundTripsInEveryVersion(PacketType type) {
        Properties properties = Properties.builder()
                .add(PropertyId.REASON_STRING, "because")
                .add(PropertyId.USER_PROPERTY, new StringPair("k", "v")).build();
        assertRoundTrip(new PubReply(type, 65535, 0x80, properties), MQTT_5);
        for (ProtocolVersion version : ProtocolVersion.values()) {
            assertRoundTrip(PubReply.of(type, 1), version);
        }
    }

    @Test
    void reasonCodeAndPropertiesAreNotWrittenTo3x() {
        PubReply reply = new PubReply(PacketType.PUBACK, 9, 0x80,
                Properties.builder().add(PropertyId.REASON_STRING, "x").build());
        assertThat(encode(reply, MQTT_3_1_1)).isEqualTo(bytes(0x40, 2, 0x00, 0x09));
    }

    @Test
    void packetId0IsMalformed_MQTT_2_3_1_1() {
        assertFails(bytes(0x40, 2, 0x00, 0x00), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-2.3.1-1]");
    }

    @Test
    void extraBytesIn311AreMalformed() {
        byte[] packet = bytes(
                0x40, 3,                        // PUBACK, remaining length 3
                0x00, 0x01,                     // packet identifier 1
                0x00);                          // a reason code 3.1.1 does not have
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "after its last field");
    }

    @Test
    void truncatedPacketIdIsMalformed() {
        assertFails(bytes(0x40, 1, 0x01), MQTT_5, MALFORMED_PACKET, "truncated");
    }

    @Test
    void propertyNotAllowedInPubAckIsMalformed() {
        byte[] packet = bytes(
                0x40, 6,                        // PUBACK, remaining length 6
                0x00, 0x01, 0x00,               // packet identifier 1, Success
                0x02, 0x01, 0x00);              // properties: payload format indicator (a PUBLISH property)
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "not allowed in PUBACK");
    }
}
