package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.volantmq.broker.codec.Wire.assertFails;
import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.codec.Wire.decode;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Packet type, flags and remaining length: the rules every packet shares (spec 2.1, 2.2). */
class FixedHeaderTest {

    @Test
    void reservedPacketType0IsMalformed() {
        MqttDecodeException e = assertFails(bytes(0x00, 0x00), MQTT_3_1_1, MALFORMED_PACKET, "reserved packet type 0");
        assertThat(e.packetType()).isNull();
    }

    @ParameterizedTest
    @EnumSource(value = PacketType.class, names = "PUBLISH", mode = EnumSource.Mode.EXCLUDE)
    void wrongReservedFlagsAreMalformed_MQTT_2_2_2_1(PacketType type) {
        int wrongFlags = FixedHeader.requiredFlags(type) ^ 0b0001;
        MqttDecodeException e = assertFails(bytes(type.value() << 4 | wrongFlags, 0x00), MQTT_5,
                MALFORMED_PACKET, "[MQTT-2.2.2-1]");
        assertThat(e.packetType()).isEqualTo(type);
    }

    @Test
    void flagsAreCheckedBeforeTheRemainingLengthArrives() {
        ByteBuf firstByteOnly = Unpooled.wrappedBuffer(bytes(0x41)); // PUBACK with flags 0001, nothing more yet
        assertThatThrownBy(() -> FixedHeader.peek(firstByteOnly, MQTT_3_1_1))
                .hasMessageContaining("[MQTT-2.2.2-2]")
                .isInstanceOfSatisfying(MqttDecodeException.class,
                        e -> assertThat(e.packetType()).isEqualTo(PacketType.PUBACK));
    }

    @Test
    void connectFlagFailureHasNoVersionYet() {
        MqttDecodeException e = assertFails(bytes(0x11, 0x00), MQTT_5, MALFORMED_PACKET, "[MQTT-2.2.2-1]");
        assertThat(e.version()).isNull();
    }

    @Test
    void remainingLengthOfFiveBytesIsMalformed_MQTT_1_5_5_1() {
        assertFails(bytes(0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), MQTT_3_1_1, MALFORMED_PACKET, "[MQTT-1.5.5-1]");
    }

    @Test
    void nonMinimalRemainingLengthIsTolerated() {
        assertThat(decode(bytes(0xC0, 0x80, 0x00), MQTT_3_1_1)).isEqualTo(PingReq.INSTANCE); // length 0 in two bytes
    }

    @Test
    void peekReadsTheLargestRemainingLengthWithoutConsuming() {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes(0x30, 0xFF, 0xFF, 0xFF, 0x7F));
        FixedHeader header = FixedHeader.peek(buf, MQTT_3_1_1);
        assertThat(header.remainingLength()).isEqualTo(268_435_455);
        assertThat(header.headerLength()).isEqualTo(5);
        assertThat(header.packetSize()).isEqualTo(MqttCodec.MAX_PACKET_SIZE);
        assertThat(buf.readerIndex()).isZero();
    }

    @Test
    void peekWaitsForAnIncompleteHeader() {
        assertThat(FixedHeader.peek(Unpooled.EMPTY_BUFFER, MQTT_3_1_1)).isNull();
        assertThat(FixedHeader.peek(Unpooled.wrappedBuffer(bytes(0x30)), MQTT_3_1_1)).isNull();
        assertThat(FixedHeader.peek(Unpooled.wrappedBuffer(bytes(0x30, 0x80, 0x80)), MQTT_3_1_1)).isNull();
    }

    @Test
    void bufferShorterOrLongerThanThePacketIsMalformed() {
        assertFails(bytes(0x40, 0x02, 0x00), MQTT_3_1_1, MALFORMED_PACKET, "shorter");
        assertFails(bytes(0xC0, 0x00, 0xC0), MQTT_3_1_1, MALFORMED_PACKET, "after the packet");
    }
}
