package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SharedPublishTest {
    private static final Publish PUBLISH = new Publish("fan/out", 0, false, false, 0, new byte[100],
            Properties.builder().add(PropertyId.SUBSCRIPTION_IDENTIFIER, 7).build());

    /** Twenty connections of one version: the memory of one encoding, the bytes the encoder would write. */
    @Test
    void encodesOncePerWireFormatAndSharesTheBytes() {
        UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(false);
        SharedPublish shared = new SharedPublish(PUBLISH);
        List<EncodedPublish> packets = new ArrayList<>();
        packets.add(shared.retainedPacket(ProtocolVersion.MQTT_3_1_1, allocator));
        long one = allocator.metric().usedHeapMemory();
        for (int i = 1; i < 20; i++) {
            packets.add(shared.retainedPacket(i % 2 == 0 ? ProtocolVersion.MQTT_3_1_1 : ProtocolVersion.MQTT_3_1,
                    allocator));
        }
        assertThat(allocator.metric().usedHeapMemory()).isEqualTo(one);
        for (EncodedPublish p : packets) {
            assertThat(ByteBufUtil.getBytes(p.content())).isEqualTo(Wire.encode(PUBLISH, ProtocolVersion.MQTT_3_1_1));
        }
        EncodedPublish v5 = shared.retainedPacket(ProtocolVersion.MQTT_5, allocator);
        assertThat(ByteBufUtil.getBytes(v5.content())).isEqualTo(Wire.encode(PUBLISH, ProtocolVersion.MQTT_5));

        packets.forEach(EncodedPublish::release);
        v5.release();
        assertThat(allocator.metric().usedHeapMemory()).isPositive(); // the router's reference keeps them
        shared.release();
        assertThat(allocator.metric().usedHeapMemory()).isZero();
    }

    /** Each write reads its own indices; nobody can write into what the others read (SslHandler appends). */
    @Test
    void eachPacketReadsOnItsOwnAndNoneCanWriteTheSharedBytes() {
        SharedPublish shared = new SharedPublish(PUBLISH);
        EncodedPublish a = shared.retainedPacket(ProtocolVersion.MQTT_5, UnpooledByteBufAllocator.DEFAULT);
        EncodedPublish b = shared.retainedPacket(ProtocolVersion.MQTT_5, UnpooledByteBufAllocator.DEFAULT);
        a.content().skipBytes(a.content().readableBytes());
        assertThat(b.content().readableBytes()).isEqualTo(Wire.encode(PUBLISH, ProtocolVersion.MQTT_5).length);
        assertThat(b.content().isWritable()).isFalse();
        assertThatThrownBy(() -> b.content().writeByte(1)).isInstanceOf(RuntimeException.class);
        a.release();
        b.release();
        shared.release();
        assertThat(shared.refCnt()).isZero();
    }

    /** Through the pipeline's encoder: the shared bytes go on as they are, and the channel ends up owning them. */
    @Test
    void theEncoderPassesTheBytesOnUnchanged() {
        EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        channel.attr(MqttCodec.PROTOCOL_VERSION).set(ProtocolVersion.MQTT_5);
        SharedPublish shared = new SharedPublish(PUBLISH);
        channel.writeOutbound(shared.retainedPacket(ProtocolVersion.MQTT_5, channel.alloc()));
        shared.release();
        ByteBuf written = channel.readOutbound();
        assertThat(ByteBufUtil.getBytes(written)).isEqualTo(Wire.encode(PUBLISH, ProtocolVersion.MQTT_5));
        assertThat(shared.refCnt()).isZero();
        assertThat(written.refCnt()).isEqualTo(1); // the encoding lives on in the outbound buffer only
        written.release();
        assertThat(written.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void qos1And2CarryAPacketIdPerSubscriberSoCannotBeShared() {
        assertThatThrownBy(() -> new SharedPublish(new Publish("t", 1, false, false, 1, new byte[1], null)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
