package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.volantmq.broker.protocol.PacketType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The MQTT data types (spec 1.5) through {@link MqttReader} and {@link MqttWriter}. */
class DataTypesCodecTest {

    @ParameterizedTest
    @CsvSource({
            "0, 00",
            "127, 7F",
            "128, 8001",
            "16383, FF7F",
            "16384, 808001",
            "2097151, FFFF7F",
            "2097152, 80808001",
            "268435455, FFFFFF7F"})
    void variableByteIntegerBoundaries(int value, String hex) {
        ByteBuf out = Unpooled.buffer();
        MqttWriter.writeVarInt(out, value);
        assertThat(ByteBufUtil.hexDump(out)).isEqualToIgnoringCase(hex);
        assertThat(MqttWriter.varIntSize(value)).isEqualTo(hex.length() / 2);
        assertThat(reader(ByteBufUtil.decodeHexDump(hex)).readVarInt("v")).isEqualTo(value);
    }

    @Test
    void variableByteIntegerLongerThanFourBytesIsMalformed_MQTT_1_5_5_1() {
        assertThatThrownBy(() -> reader(bytes(0x80, 0x80, 0x80, 0x80, 0x01)).readVarInt("v"))
                .isInstanceOf(MqttDecodeException.class).hasMessageContaining("[MQTT-1.5.5-1]");
    }

    @Test
    void variableByteIntegerOutOfRangeIsRefused() {
        assertThatThrownBy(() -> MqttWriter.writeVarInt(Unpooled.buffer(), 268_435_456))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttWriter.varIntSize(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void integersAreUnsigned() {
        MqttReader reader = reader(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
        assertThat(reader.readTwoByteInt("two")).isEqualTo(65535);
        assertThat(reader.readFourByteInt("four")).isEqualTo(0xFFFF_FFFFL);
        assertThat(reader.readByte("one")).isEqualTo(255);
        assertThat(reader.hasRemaining()).isFalse();
    }

    @Test
    void readingPastTheEndIsMalformed() {
        assertThatThrownBy(() -> reader(bytes(0x00, 0x03, 'a')).readUtf8("topic"))
                .isInstanceOf(MqttDecodeException.class).hasMessageContaining("truncated: topic needs 3 bytes, 1 left");
        assertThatThrownBy(() -> reader(bytes(0x00, 0x02, 0x01)).readBinary("data"))
                .isInstanceOf(MqttDecodeException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> reader(bytes(0x01)).readFourByteInt("expiry"))
                .isInstanceOf(MqttDecodeException.class).hasMessageContaining("truncated");
    }

    @Test
    void failuresNameThePacketAndVersion() {
        MqttReader reader = new MqttReader(Unpooled.EMPTY_BUFFER, PacketType.SUBACK, MQTT_5);
        assertThatThrownBy(() -> reader.readByte("code")).isInstanceOfSatisfying(MqttDecodeException.class, e -> {
            assertThat(e.packetType()).isEqualTo(PacketType.SUBACK);
            assertThat(e.version()).isEqualTo(MQTT_5);
        });
    }

    @Test
    void stringsAndBinaryUpTo65535Bytes() {
        String longest = "x".repeat(65535);
        ByteBuf out = Unpooled.buffer();
        MqttWriter.writeUtf8(out, longest);
        MqttWriter.writeBinary(out, new byte[]{1, 2});
        assertThat(MqttWriter.utf8Size(longest)).isEqualTo(65537);
        MqttReader reader = new MqttReader(out, PacketType.PUBLISH, MQTT_5);
        assertThat(reader.readUtf8("s")).isEqualTo(longest);
        assertThat(reader.readBinary("b")).containsExactly(1, 2);
        assertThatThrownBy(() -> MqttWriter.utf8Size("x".repeat(65536))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttWriter.utf8Size("é".repeat(32768))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttWriter.binarySize(new byte[65536])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void utf8IsWrittenWithItsEncodedLength() {
        ByteBuf out = Unpooled.buffer();
        MqttWriter.writeUtf8(out, "a€𝄞");
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo("0008" + "61" + "e282ac" + "f09d849e");
    }

    private static MqttReader reader(byte[] bytes) {
        return new MqttReader(Unpooled.wrappedBuffer(bytes), PacketType.PUBLISH, MQTT_5);
    }
}
