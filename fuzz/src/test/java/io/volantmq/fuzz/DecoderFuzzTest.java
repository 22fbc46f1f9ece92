package io.volantmq.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.volantmq.broker.codec.DecodeFailure;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.ProtocolVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes {@link MqttDecoder} in a Netty pipeline, for all three protocol versions.
 *
 * <p>Input: one control byte, then the bytes as they arrive on the wire. Control bits 0-1: the
 * version the channel already speaks (0 = none yet, the first CONNECT decides; 1 = 3.1; 2 = 3.1.1;
 * 3 = 5.0); bits 2-4: how the bytes are cut into reads (0 = one read, k = reads of 2^(k-1) bytes, so
 * packets split across reads are covered); bit 5: a tiny maximum packet size (64 bytes) instead of 1 MiB.
 *
 * <p>What must hold: the decoder emits only messages and at most one {@link DecodeFailure}, last, with
 * an MQTT reason code and never the "internal decoder error" of a bug; no exception leaves the pipeline;
 * every buffer is released; and every message it accepts encodes again, and its encoding decodes to
 * a message with the very same encoding (the codec agrees with itself).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecoderFuzzTest {
    /** For the round trip: heap buffers outside the leak detector's bookkeeping, released right away. */
    private static final ByteBufAllocator PLAIN = new UnpooledByteBufAllocator(false, true);

    private final LogWatch watch = LogWatch.installed();
    private final LeakSweep leaks = new LeakSweep();

    @FuzzTest(maxDuration = "30s")
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int control = input[0] & 0xFF;
        ProtocolVersion preset = switch (control & 3) {
            case 1 -> ProtocolVersion.MQTT_3_1;
            case 2 -> ProtocolVersion.MQTT_3_1_1;
            case 3 -> ProtocolVersion.MQTT_5;
            default -> null;
        };
        int chunkBits = (control >> 2) & 7;
        int chunk = chunkBits == 0 ? input.length : 1 << (chunkBits - 1);
        int maxPacketSize = (control & 0x20) != 0 ? 64 : 1 << 20;

        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel channel = Channels.open(alloc, MqttCodec.PROTOCOL_VERSION, preset,
                new MqttDecoder(maxPacketSize));
        List<Object> out = new ArrayList<>();
        try {
            for (int i = 1; i < input.length; i += chunk) {
                int n = Math.min(chunk, input.length - i);
                channel.writeInbound(alloc.buffer(n).writeBytes(input, i, n));
                drain(channel, out);
            }
            channel.finish();
            drain(channel, out);
            check(out, preset);
        } finally {
            channel.finishAndReleaseAll();
        }
        Findings.check(alloc.unreleased(), "buffers the decoder did not release");
        Findings.check(watch.drain(), "decoder errors or leak reports");
        leaks.afterInput(watch);
    }

    @AfterAll
    void finalSweep() {
        leaks.sweep(watch);
    }

    private static void drain(EmbeddedChannel channel, List<Object> out) {
        for (Object m = channel.readInbound(); m != null; m = channel.readInbound()) {
            out.add(m);
        }
    }

    /**
     * The version a message is round-tripped in is the one the decoder used for it: the preset, or before the
     * first CONNECT of a fresh channel 3.1.1 (a packet there is refused by the connection, not the decoder), and
     * the first CONNECT's from then on.
     */
    private static void check(List<Object> out, ProtocolVersion preset) {
        ProtocolVersion channelVersion = preset != null ? preset : ProtocolVersion.MQTT_3_1_1;
        boolean versionSet = preset != null;
        for (int i = 0; i < out.size(); i++) {
            Object m = out.get(i);
            if (m instanceof DecodeFailure f) {
                if (i != out.size() - 1) {
                    throw new AssertionError("decoder went on after " + f + ": " + out.subList(i + 1, out.size()));
                }
                if (f.reasonCode() < 0x80 || f.reasonCode() > 0xA2 || f.reason() == null
                        || f.reason().startsWith("internal decoder error")) {
                    throw new AssertionError("decoder failure without a proper reason: " + f);
                }
            } else if (m instanceof MqttMessage message) {
                if (message instanceof Connect c && !versionSet) {
                    channelVersion = c.version();
                    versionSet = true;
                }
                roundTrip(message, message instanceof Connect c ? c.version() : channelVersion);
            } else {
                throw new AssertionError("decoder emitted a " + m.getClass().getName());
            }
        }
    }

    /** encode(m) must decode to a message that encodes to the same bytes. */
    private static void roundTrip(MqttMessage message, ProtocolVersion version) {
        byte[] first = encode(message, version);
        MqttMessage again = MqttCodec.decode(Unpooled.wrappedBuffer(first), version);
        byte[] second = encode(again, version);
        if (!Arrays.equals(first, second)) {
            throw new AssertionError("codec disagrees with itself on " + message + " in " + version + ": "
                    + "decoding its encoding gave " + again);
        }
    }

    private static byte[] encode(MqttMessage message, ProtocolVersion version) {
        ByteBuf buf = MqttCodec.encode(message, version, PLAIN);
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }
}
