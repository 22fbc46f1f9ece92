package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.broker.protocol.Will;
import org.junit.jupiter.api.Test;

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
import static io.volantmq.broker.protocol.ReasonCode.TOPIC_NAME_INVALID;
import static io.volantmq.broker.protocol.ReasonCode.UNSUPPORTED_PROTOCOL_VERSION;
import static org.assertj.core.api.Assertions.assertThat;

class ConnectCodecTest {

    @Test
    void mqtt31ConnectWithMQIsdpName() {
        byte[] packet = bytes(
                0x10, 16,                                   // CONNECT, remaining length 16
                0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',   // protocol name "MQIsdp"
                0x03,                                       // protocol level 3 (3.1)
                0x02,                                       // connect flags: clean session
                0x00, 0x0A,                                 // keep alive 10 s
                0x00, 0x02, 'c', '1');                      // client id "c1"
        assertWire(packet, MQTT_3_1_1, new Connect(MQTT_3_1, "c1", true, 10, null, null, null, Properties.EMPTY));
    }

    @Test
    void mqtt311ConnectWithEveryField() {
        byte[] packet = bytes(
                0x10, 30,                       // CONNECT, remaining length 30
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4 (3.1.1)
                0xEE,                           // flags: user name, password, will retain, will QoS 1, will, clean
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x02, 'c', '1',           // client id "c1"
                0x00, 0x03, 'w', '/', 't',      // will topic "w/t"
                0x00, 0x02, 'b', 'y',           // will payload "by"
                0x00, 0x01, 'u',                // user name "u"
                0x00, 0x02, 0x01, 0x02);        // password 01 02
        Will will = new Will("w/t", bytes('b', 'y'), 1, true, Properties.EMPTY);
        assertWire(packet, MQTT_3_1_1,
                new Connect(MQTT_3_1_1, "c1", true, 60, "u", bytes(1, 2), will, Properties.EMPTY));
    }

    @Test
    void mqtt5ConnectWithPropertiesAndWillProperties() {
        byte[] packet = bytes(
                0x10, 39,                       // CONNECT, remaining length 39
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol level 5
                0x96,                           // flags: user name, will QoS 2, will, clean start
                0x00, 0x1E,                     // keep alive 30 s
                0x08,                           // property length 8
                0x11, 0x00, 0x00, 0x00, 0x78,   //   session expiry interval 120
                0x21, 0x00, 0x14,               //   receive maximum 20
                0x00, 0x02, 'c', '5',           // client id "c5"
                0x07,                           // will property length 7
                0x18, 0x00, 0x00, 0x00, 0x05,   //   will delay interval 5
                0x01, 0x01,                     //   payload format indicator 1 (UTF-8)
                0x00, 0x01, 'w',                // will topic "w"
                0x00, 0x00,                     // will payload: empty
                0x00, 0x01, 'u');               // user name "u"
        Properties properties = Properties.builder()
                .add(PropertyId.SESSION_EXPIRY_INTERVAL, 120L)
                .add(PropertyId.RECEIVE_MAXIMUM, 20).build();
        Properties willProperties = Properties.builder()
                .add(PropertyId.WILL_DELAY_INTERVAL, 5L)
                .add(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1).build();
        Will will = new Will("w", new byte[0], 2, false, willProperties);
        assertWire(packet, MQTT_5, new Connect(MQTT_5, "c5", true, 30, "u", null, will, properties));
    }

    @Test
    void connectBringsItsOwnVersionWhateverTheChannelAssumes() {
        Connect connect = new Connect(MQTT_5, "c", false, 0, null, null, null, Properties.EMPTY);
        Wire.assertSameMessage(decode(Wire.encode(connect, MQTT_3_1_1), MQTT_3_1_1), connect);
    }

    @Test
    void everyConnectAndWillPropertyRoundTrips() {
        Properties properties = Properties.builder()
                .add(PropertyId.SESSION_EXPIRY_INTERVAL, 0xFFFF_FFFFL)
                .add(PropertyId.AUTHENTICATION_METHOD, "SCRAM-SHA-1")
                .add(PropertyId.AUTHENTICATION_DATA, bytes(1, 2, 3))
                .add(PropertyId.REQUEST_PROBLEM_INFORMATION, 0)
                .add(PropertyId.REQUEST_RESPONSE_INFORMATION, 1)
                .add(PropertyId.RECEIVE_MAXIMUM, 65535)
                .add(PropertyId.TOPIC_ALIAS_MAXIMUM, 10)
                .add(PropertyId.USER_PROPERTY, new StringPair("k", "v1"))
                .add(PropertyId.USER_PROPERTY, new StringPair("k", "v2"))
                .add(PropertyId.MAXIMUM_PACKET_SIZE, 1024L).build();
        Properties willProperties = Properties.builder()
                .add(PropertyId.WILL_DELAY_INTERVAL, 30L)
                .add(PropertyId.PAYLOAD_FORMAT_INDICATOR, 0)
                .add(PropertyId.MESSAGE_EXPIRY_INTERVAL, 3600L)
                .add(PropertyId.CONTENT_TYPE, "text/plain")
                .add(PropertyId.RESPONSE_TOPIC, "reply/here")
                .add(PropertyId.CORRELATION_DATA, bytes(9, 8, 7))
                .add(PropertyId.USER_PROPERTY, new StringPair("will", "yes")).build();
        Will will = new Will("last/will", bytes(0, 1, 2), 1, true, willProperties);
        assertRoundTrip(new Connect(MQTT_5, "client-ü", false, 65535, "user", bytes(0xFF), will, properties), MQTT_5);
    }

    @Test
    void mqtt5AllowsPasswordWithoutUserName() {
        assertRoundTrip(new Connect(MQTT_5, "c", true, 0, null, bytes('p', 'w'), null, Properties.EMPTY), MQTT_5);
    }

    @Test
    void emptyClientIdAndMaximumKeepAliveDecode() {
        Connect connect = (Connect) decode(bytes(
                0x10, 12,                       // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4
                0x02,                           // connect flags: clean session
                0xFF, 0xFF,                     // keep alive 65535 s: unsigned
                0x00, 0x00), MQTT_3_1_1);       // client id: empty (the broker decides)
        assertThat(connect.clientId()).isEmpty();
        assertThat(connect.keepAlive()).isEqualTo(65535);
    }

    @Test
    void protocolNameNotMatchingLevelIsMalformed_MQTT_3_1_2_1() {
        byte[] packet = bytes(
                0x10, 15,                                   // CONNECT, remaining length 15
                0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',   // protocol name "MQIsdp" ...
                0x04,                                       // ... with level 4: wrong
                0x02, 0x00, 0x3C, 0x00, 0x01, 'c');         // flags, keep alive, client id "c"
        MqttDecodeException e = assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.1.2-1]");
        assertThat(e.version()).isEqualTo(MQTT_3_1_1);
    }

    @Test
    void unknownProtocolNameIsMalformed_MQTT_3_1_2_1() {
        byte[] packet = bytes(
                0x10, 13,                       // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'X', // protocol name "MQTX"
                0x04,                           // protocol level 4
                0x02, 0x00, 0x3C, 0x00, 0x01, 'c');
        MqttDecodeException e = assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.1.2-1]");
        assertThat(e.version()).isNull();
    }

    @Test
    void unsupportedProtocolLevelIsUnsupportedProtocolVersion_MQTT_3_1_2_2() {
        byte[] packet = bytes(
                0x10, 13,                       // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x06,                           // protocol level 6: unknown
                0x02, 0x00, 0x3C, 0x00, 0x01, 'c');
        MqttDecodeException e = assertFails(packet, MQTT_3_1_1, UNSUPPORTED_PROTOCOL_VERSION, "[MQTT-3.1.2-2]");
        assertThat(e.packetType()).isEqualTo(PacketType.CONNECT);
        assertThat(e.version()).isNull();
    }

    @Test
    void reservedConnectFlagIsMalformed_MQTT_3_1_2_3() {
        assertFails(connect311WithFlags(0x03), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.1.2-3]");
    }

    @Test
    void failureAfterTheLevelCarriesTheConnectVersion() {
        MqttDecodeException e = assertFails(connect5WithFlags(0x03), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.1.2-3]");
        assertThat(e.version()).isEqualTo(MQTT_5);
        assertThat(e.packetType()).isEqualTo(PacketType.CONNECT);
    }

    @Test
    void willQosWithoutWillFlagIsMalformed_MQTT_3_1_2_13() {
        assertFails(connect311WithFlags(0x0A), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.1.2-13]");
    }

    @Test
    void willRetainWithoutWillFlagIsMalformed_MQTT_3_1_2_15() {
        assertFails(connect311WithFlags(0x22), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.1.2-15]");
    }

    @Test
    void willQos3IsMalformed_MQTT_3_1_2_14() {
        assertFails(connect311WithFlags(0x1E), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.1.2-14]");
    }

    @Test
    void passwordWithoutUserNameIsMalformedIn311_MQTT_3_1_2_22() {
        assertFails(connect311WithFlags(0x42), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.1.2-22]");
    }

    @Test
    void passwordWithoutUserNameIsMalformedIn31_MQTT_3_1_2_22() {
        byte[] packet = bytes(
                0x10, 15,                                   // CONNECT, remaining length 15
                0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',   // protocol name "MQIsdp"
                0x03,                                       // protocol level 3
                0x42,                                       // flags: password without user name, clean
                0x00, 0x3C, 0x00, 0x01, 'c');               // keep alive, client id "c"
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-3.1.2-22]");
    }

    @Test
    void bytesAfterTheLastFieldAreMalformed() {
        byte[] packet = bytes(
                0x10, 14,                       // CONNECT, remaining length 14
                0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C,
                0x00, 0x01, 'c',                // client id "c"
                0x00);                          // a stray byte
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "after its last field");
    }

    @Test
    void missingWillTopicIsMalformed() {
        byte[] packet = bytes(
                0x10, 13,                       // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04,
                0x06,                           // flags: will (QoS 0), clean
                0x00, 0x3C, 0x00, 0x01, 'c');   // keep alive, client id "c"; no will topic follows
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "truncated");
    }

    @Test
    void willTopicWithWildcardIsTopicNameInvalid_MQTT_3_3_2_2() {
        byte[] packet = bytes(
                0x10, 19,                       // CONNECT, remaining length 19
                0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04,
                0x06,                           // flags: will (QoS 0), clean
                0x00, 0x3C, 0x00, 0x01, 'c',    // keep alive, client id "c"
                0x00, 0x02, 'a', '#',           // will topic "a#"
                0x00, 0x00);                    // will payload: empty
        assertFails(packet, MQTT_3_1_1, TOPIC_NAME_INVALID, "[MQTT-3.3.2-2]");
    }

    @Test
    void emptyWillTopicIsMalformed_MQTT_4_7_3_1() {
        byte[] packet = bytes(
                0x10, 17,                       // CONNECT, remaining length 17
                0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04,
                0x06,                           // flags: will (QoS 0), clean
                0x00, 0x3C, 0x00, 0x01, 'c',    // keep alive, client id "c"
                0x00, 0x00,                     // will topic: empty
                0x00, 0x00);                    // will payload: empty
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-4.7.3-1]");
    }

    @Test
    void clientIdThatIsNotUtf8IsMalformed_MQTT_1_5_4_1() {
        byte[] packet = bytes(
                0x10, 14,                       // CONNECT, remaining length 14
                0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C,
                0x00, 0x02, 0xC0, 0xAF);        // client id: overlong encoding of '/'
        assertFails(packet, MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-1.5.4-1]");
    }

    @Test
    void propertyNotAllowedInConnectIsMalformed() {
        byte[] packet = bytes(
                0x10, 17,                       // CONNECT, remaining length 17
                0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C,
                0x03,                           // property length 3
                0x23, 0x00, 0x01,               //   topic alias 1: a PUBLISH property
                0x00, 0x01, 'c');               // client id "c"
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "TOPIC_ALIAS is not allowed in CONNECT");
    }

    @Test
    void propertyNotAllowedInWillIsMalformed() {
        byte[] packet = bytes(
                0x10, 25,                       // CONNECT, remaining length 25
                0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05,
                0x06,                           // flags: will (QoS 0), clean start
                0x00, 0x3C,                     // keep alive
                0x00,                           // property length 0
                0x00, 0x01, 'c',                // client id "c"
                0x05,                           // will property length 5
                0x11, 0x00, 0x00, 0x00, 0x01,   //   session expiry interval: not a will property
                0x00, 0x01, 't',                // will topic "t"
                0x00, 0x00);                    // will payload: empty
        assertFails(packet, MQTT_5, MALFORMED_PACKET, "SESSION_EXPIRY_INTERVAL is not allowed in will properties");
    }

    @Test
    void authenticationDataWithoutMethodIsProtocolError() {
        byte[] packet = bytes(
                0x10, 18,                       // CONNECT, remaining length 18
                0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C,
                0x04,                           // property length 4
                0x16, 0x00, 0x01, 0x2A,         //   authentication data 2A, but no method
                0x00, 0x01, 'c');               // client id "c"
        assertFails(packet, MQTT_5, PROTOCOL_ERROR, "authentication data without a method");
    }

    /** A 3.1.1 CONNECT with the given connect flags and nothing in the payload but client id "c". */
    private static byte[] connect311WithFlags(int flags) {
        return bytes(
                0x10, 13,                       // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4
                flags,                          // connect flags under test
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x01, 'c');               // client id "c"
    }

    /** The 5.0 twin of {@link #connect311WithFlags}. */
    private static byte[] connect5WithFlags(int flags) {
        return bytes(
                0x10, 14,                       // CONNECT, remaining length 14
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol level 5
                flags,                          // connect flags under test
                0x00, 0x3C,                     // keep alive 60 s
                0x00,                           // property length 0
                0x00, 0x01, 'c');               // client id "c"
    }
}
