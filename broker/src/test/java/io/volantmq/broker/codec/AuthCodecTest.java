package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.StringPair;
import org.junit.jupiter.api.Test;

import static io.volantmq.broker.codec.Wire.assertEncodingRefused;
import static io.volantmq.broker.codec.Wire.assertFails;
import static io.volantmq.broker.codec.Wire.assertRoundTrip;
import static io.volantmq.broker.codec.Wire.assertWire;
import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;

/** AUTH: MQTT 5 only. */
class AuthCodecTest {

    @Test
    void successWithoutPropertiesIsEmpty() {
        assertWire(bytes(0xF0, 0x00), MQTT_5, new Auth(ReasonCode.SUCCESS, Properties.EMPTY)); // AUTH, length 0
    }

    @Test
    void continueAuthenticationWithMethodAndData() {
        byte[] packet = bytes(
                0xF0, 13,                       // AUTH, remaining length 13
                0x18,                           // Continue authentication
                0x0B,                           // property length 11
                0x15, 0x00, 0x04, 'S', 'C', 'R', 'M', //   authentication method "SCRM"
                0x16, 0x00, 0x01, 0x07);        //   authentication data 07
        Properties properties = Properties.builder()
                .add(PropertyId.AUTHENTICATION_METHOD, "SCRM")
                .add(PropertyId.AUTHENTICATION_DATA, bytes(7)).build();
        assertWire(packet, MQTT_5, new Auth(ReasonCode.CONTINUE_AUTHENTICATION, properties));
    }

    @Test
    void everyAuthPropertyRoundTrips() {
        Properties properties = Properties.builder()
                .add(PropertyId.AUTHENTICATION_METHOD, "m")
                .add(PropertyId.AUTHENTICATION_DATA, new byte[0])
                .add(PropertyId.REASON_STRING, "again")
                .add(PropertyId.USER_PROPERTY, new StringPair("k", "v")).build();
        assertRoundTrip(new Auth(ReasonCode.REAUTHENTICATE, properties), MQTT_5);
        assertRoundTrip(new Auth(ReasonCode.SUCCESS, properties), MQTT_5);
        assertRoundTrip(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, null), MQTT_5);
    }

    @Test
    void authIsAReservedTypeIn3x() {
        assertFails(bytes(0xF0, 0x00), MQTT_3_1_1, MALFORMED_PACKET, "reserved packet type 15");
        assertFails(bytes(0xF0, 0x00), MQTT_3_1, MALFORMED_PACKET, "reserved packet type 15");
    }

    @Test
    void reasonCodeWithoutPropertyLengthIsMalformed() {
        assertFails(bytes(0xF0, 0x01, 0x18), MQTT_5, MALFORMED_PACKET, "truncated");
    }

    @Test
    void authCannotBeEncodedFor3x() {
        assertEncodingRefused(new Auth(ReasonCode.SUCCESS, null), MQTT_3_1_1);
    }
}
