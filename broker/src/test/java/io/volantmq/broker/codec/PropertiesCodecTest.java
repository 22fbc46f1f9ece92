package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.UnsubAck;
import io.volantmq.broker.protocol.Unsubscribe;
import io.volantmq.broker.protocol.Will;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static io.volantmq.broker.codec.Wire.assertEncodingRefused;
import static io.volantmq.broker.codec.Wire.assertFails;
import static io.volantmq.broker.codec.Wire.assertRoundTrip;
import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.codec.Wire.concat;
import static io.volantmq.broker.codec.Wire.decode;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;
import static io.volantmq.broker.protocol.ReasonCode.PROTOCOL_ERROR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The MQTT 5 property section rules shared by every packet (spec 2.2.2). */
class PropertiesCodecTest {

    @ParameterizedTest
    @EnumSource(PropertyId.class)
    void everyPropertyRoundTripsInAPacketThatAllowsIt(PropertyId id) {
        Properties.Builder builder = Properties.builder().add(id, sampleValue(id));
        if (id == PropertyId.AUTHENTICATION_DATA) {
            builder.add(PropertyId.AUTHENTICATION_METHOD, "m"); // data without a method is a protocol error
        }
        Properties properties = builder.build();
        assertRoundTrip(carrier(id, properties), MQTT_5);
    }

    @ParameterizedTest
    @EnumSource(value = PropertyId.class, names = {"PAYLOAD_FORMAT_INDICATOR", "REQUEST_PROBLEM_INFORMATION",
            "REQUEST_RESPONSE_INFORMATION", "MAXIMUM_QOS", "RETAIN_AVAILABLE", "WILDCARD_SUBSCRIPTION_AVAILABLE",
            "SUBSCRIPTION_IDENTIFIER_AVAILABLE", "SHARED_SUBSCRIPTION_AVAILABLE"})
    void byteValuedPropertiesOtherThan0Or1AreProtocolErrors(PropertyId id) {
        Properties valid = Properties.builder().add(id, 1).build();
        byte[] packet = Wire.encode(carrier(id, valid), MQTT_5);
        int valueIndex = indexOfProperty(packet, id) + 1;
        packet[valueIndex] = 2;
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "must be 0 or 1");
    }

    @Test
    void receiveMaximum0IsProtocolError() {
        byte[] packet = bytes(
                0x10, 17,                       // CONNECT, remaining length 17
                0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C,
                0x03,                           // property length 3
                0x21, 0x00, 0x00,               //   receive maximum 0
                0x00, 0x01, 'c');               // client id "c"
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "RECEIVE_MAXIMUM in CONNECT must not be 0");
    }

    @Test
    void unknownPropertyIdentifierIsMalformed() {
        assertFails(publishWithProperties(0x04, 0x00), MQTT_5, MALFORMED_PACKET, "unknown property identifier 0x4");
    }

    @Test
    void nonRepeatablePropertyTwiceIsProtocolError() {
        byte[] packet = publishWithProperties(
                0x03, 0x00, 0x01, 'a',          //   content type "a"
                0x03, 0x00, 0x01, 'b');         //   content type "b" again
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "CONTENT_TYPE appears more than once");
    }

    @Test
    void userPropertiesRepeatInOrder() {
        byte[] packet = publishWithProperties(
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, '2', //   user property k=2
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, '1'); //   user property k=1
        assertThat(decode(packet, MQTT_5, Publish.class).properties().userProperties())
                .containsExactly(new StringPair("k", "2"), new StringPair("k", "1"));
    }

    @Test
    void valueRunningPastThePropertySectionIsMalformed() {
        byte[] packet = bytes(
                0x30, 10,                       // PUBLISH, QoS 0, remaining length 10
                0x00, 0x01, 't',                // topic "t"
                0x03,                           // property length 3 ...
                0x02, 0x00, 0x00,               //   ... cuts message expiry interval after 2 of 4 bytes
                0x00, 0x00, 'p');               // payload
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "truncated");
    }

    @Test
    void propertyLengthLongerThanFourBytesIsMalformed_MQTT_1_5_5_1() {
        byte[] packet = bytes(
                0x30, 8,                        // PUBLISH, QoS 0, remaining length 8
                0x00, 0x01, 't',                // topic "t"
                0x80, 0x80, 0x80, 0x80, 0x01);  // property length: a five-byte varint
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "[MQTT-1.5.5-1]");
    }

    @Test
    void userPropertyWithIllFormedUtf8IsMalformed_MQTT_1_5_4_1() {
        byte[] packet = publishWithProperties(
                0x26, 0x00, 0x01, 0xFF, 0x00, 0x00); //   user property name: byte FF
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "[MQTT-1.5.4-1]");
    }

    @Test
    void storedPropertyBlobRoundTrips() {
        Properties properties = Properties.builder()
                .add(PropertyId.CONTENT_TYPE, "text/plain")
                .add(PropertyId.CORRELATION_DATA, bytes(1, 2))
                .add(PropertyId.USER_PROPERTY, new StringPair("a", "b")).build();
        byte[] blob = MqttCodec.encodeProperties(properties);
        assertThat(blob[0]).as("length prefix").isEqualTo((byte) (blob.length - 1));
        assertThat(MqttCodec.decodeProperties(blob)).isEqualTo(properties);
        byte[] empty = MqttCodec.encodeProperties(Properties.EMPTY);
        assertThat(empty).containsExactly(0);
        assertThat(MqttCodec.decodeProperties(empty)).isEqualTo(Properties.EMPTY);
    }

    @Test
    void encoderRefusesValuesTheWireCannotCarry() {
        assertThatThrownBy(() -> MqttCodec.encodeProperties(Properties.builder()
                .add(PropertyId.REASON_STRING, "not a PUBLISH property").build()))
                .isInstanceOf(IllegalArgumentException.class);
        assertEncodingRefused(new ConnAck(false, 0, Properties.builder()
                .add(PropertyId.RECEIVE_MAXIMUM, 70_000).build()), MQTT_5);
        assertEncodingRefused(new ConnAck(false, 0, Properties.builder()
                .add(PropertyId.MAXIMUM_QOS, 256).build()), MQTT_5);
        assertEncodingRefused(new Subscribe(1, List.of(Subscription.of("a", 0)), Properties.builder()
                .add(PropertyId.SUBSCRIPTION_IDENTIFIER, 268_435_456).build()), MQTT_5);
    }

    /** A 5.0 QoS 0 PUBLISH to "t" with the given property bytes and an empty payload. */
    private static byte[] publishWithProperties(int... properties) {
        return concat(
                bytes(0x30, 3 + 1 + properties.length),    // PUBLISH, QoS 0, remaining length
                bytes(0x00, 0x01, 't'),                     // topic "t"
                bytes(properties.length),                   // property length (below 128 here)
                bytes(properties));                         // the properties under test
    }

    private static int indexOfProperty(byte[] packet, PropertyId id) {
        for (int i = 2; i < packet.length - 1; i++) {
            if (packet[i] == id.id() && packet[i + 1] == 1) {
                return i;
            }
        }
        throw new AssertionError(id + " not found");
    }

    private static Object sampleValue(PropertyId id) {
        return switch (id.type()) {
            case BYTE -> 1;
            case TWO_BYTE -> 0x1234;
            case FOUR_BYTE -> 0x89AB_CDEFL;
            case VARINT -> 200_000;
            case UTF8 -> "välue";
            case BINARY -> bytes(0, 1, 0xFE);
            case UTF8_PAIR -> new StringPair("näme", "");
        };
    }

    /** A message of the first packet type that may carry {@code id}; a will for will-only properties. */
    private static MqttMessage carrier(PropertyId id, Properties properties) {
        for (PacketType type : PacketType.values()) {
            if (id.allowedIn(type)) {
                return message(type, properties);
            }
        }
        Will will = new Will("w", bytes(1), 0, false, properties);
        return new Connect(MQTT_5, "c", true, 0, null, null, will, null);
    }

    private static MqttMessage message(PacketType type, Properties properties) {
        return switch (type) {
            case CONNECT -> new Connect(MQTT_5, "c", true, 0, null, null, null, properties);
            case CONNACK -> new ConnAck(false, 0, properties);
            case PUBLISH -> new Publish("t", 1, false, false, 1, bytes(1), properties);
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> new PubReply(type, 1, 0x80, properties);
            case SUBSCRIBE -> new Subscribe(1, List.of(Subscription.of("a", 0)), properties);
            case SUBACK -> new SubAck(1, List.of(0), properties);
            case UNSUBSCRIBE -> new Unsubscribe(1, List.of("a"), properties);
            case UNSUBACK -> new UnsubAck(1, List.of(0), properties);
            case DISCONNECT -> new Disconnect(0, properties);
            case AUTH -> new Auth(0x18, properties);
            case PINGREQ, PINGRESP -> throw new AssertionError("no properties in " + type);
        };
    }
}
