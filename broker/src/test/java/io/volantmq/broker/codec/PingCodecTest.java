package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.ProtocolVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.volantmq.broker.codec.Wire.assertFails;
import static io.volantmq.broker.codec.Wire.assertWire;
import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;

/** PINGREQ and PINGRESP: two bytes in every version. */
class PingCodecTest {

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void pingReqAndPingResp(ProtocolVersion version) {
        assertWire(bytes(0xC0, 0x00), version, PingReq.INSTANCE);  // PINGREQ, remaining length 0
        assertWire(bytes(0xD0, 0x00), version, PingResp.INSTANCE); // PINGRESP, remaining length 0
    }

    @Test
    void pingReqWithABodyIsMalformed() {
        assertFails(bytes(0xC0, 0x01, 0x00), MQTT_3_1_1, MALFORMED_PACKET, "after its last field");
    }

    @Test
    void pingRespWithABodyIsMalformed() {
        assertFails(bytes(0xD0, 0x01, 0x00), MQTT_3_1_1, MALFORMED_PACKET, "after its last field");
    }

    @Test
    void pingReqWithFlagsIsMalformed_MQTT_2_2_2_2() {
        assertFails(bytes(0xC1, 0x00), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-2.2.2-2]");
    }
}
