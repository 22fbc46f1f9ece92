package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.MessageToByteEncoder;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.ProtocolVersion;

/**
 * Encodes {@link MqttMessage}s in the channel's version ({@link MqttCodec#PROTOCOL_VERSION}, MQTT 3.1.1
 * while unset) into buffers of exactly the packet's size. Writing a CONNECT sets the channel's version
 * when unset, so a client pipeline decodes the server's answers in the version it asked for. A message
 * the version cannot carry fails the write's promise (an {@code EncoderException}). An
 * {@link EncodedPublish} is already bytes: they pass on unchanged.
 */
@Sharable
public final class MqttEncoder extends MessageToByteEncoder<MqttMessage> {
    public static final MqttEncoder INSTANCE = new MqttEncoder();

    public MqttEncoder() {
        super(MqttMessage.class);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof EncodedPublish encoded) {
            ctx.write(encoded.content(), promise); // its reference goes with the bytes
            return;
        }
        super.write(ctx, msg, promise);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, MqttMessage message, boolean preferDirect) {
        int size = MqttCodec.encodedSize(message, MqttCodec.version(ctx.channel()));
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, MqttMessage message, ByteBuf out) {
        if (message instanceof Connect connect) {
            ProtocolVersion version = connect.version();
            ctx.channel().attr(MqttCodec.PROTOCOL_VERSION).setIfAbsent(version);
        }
        MqttCodec.encode(message, MqttCodec.version(ctx.channel()), out);
    }
}
