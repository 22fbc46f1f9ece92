package io.volantmq.broker.session;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.BrokerContext;
import io.volantmq.broker.BrokerEvents;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.Authenticator;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.memory.MemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection handler is also the pipeline's MQTT encoder and packet counter (no encoder stage: a
 * handler context less per connection). Here the pipeline is the broker's decoder and the connection only,
 * over the real memory store: what leaves it must already be bytes, and the packets are counted both ways.
 */
class ConnectionEncodesTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Store store = new MemoryProvider().open(new ProviderConfig("memory", Map.of()));
    private final BrokerContext broker = BrokerContext.wire(BrokerConfig.builder().build(), store,
            AccessControl.ALLOW_ALL, List.of(), new BrokerMetrics(registry), BrokerEvents.NONE);
    private final EmbeddedChannel channel = new EmbeddedChannel(MqttDecoder.forBroker(65_536),
            new MqttConnection(broker, new ListenerContext(URI.create("tcp://127.0.0.1:1883"),
                    Authenticator.ALLOW_ALL, broker.config().maxPacketSize())));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        store.close();
    }

    @Test
    void writesEncodedPacketsAndCountsThemBothWays() {
        send(new Connect(ProtocolVersion.MQTT_5, "enc", true, 30, null, null, null, null));
        assertThat(((ConnAck) receive()).reasonCode()).isZero();
        send(PingReq.INSTANCE);
        assertThat(receive()).isInstanceOf(PingResp.class);

        assertThat(packets("received", "connect")).isEqualTo(1);
        assertThat(packets("received", "pingreq")).isEqualTo(1);
        assertThat(packets("sent", "connack")).isEqualTo(1);
        assertThat(packets("sent", "pingresp")).isEqualTo(1);
    }

    @Test
    void anAuthAfterAConnectWithoutAMethodIsAProtocolError() {
        // the handshake's state is let go at the CONNACK when no re-authentication can follow
        send(new Connect(ProtocolVersion.MQTT_5, "noauth", true, 30, null, null, null, null));
        assertThat(((ConnAck) receive()).reasonCode()).isZero();
        send(new Auth(ReasonCode.REAUTHENTICATE,
                Properties.builder().add(PropertyId.AUTHENTICATION_METHOD, "SCRAM-SHA-256").build()));
        assertThat(((Disconnect) receive()).reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
        channel.runPendingTasks();
        assertThat(channel.isActive()).isFalse();
    }

    private void send(MqttMessage message) {
        channel.writeInbound(MqttCodec.encode(message, ProtocolVersion.MQTT_5, ByteBufAllocator.DEFAULT));
        channel.runPendingTasks();
    }

    private MqttMessage receive() {
        channel.runPendingTasks();
        Object out = channel.readOutbound();
        assertThat(out).as("what the connection wrote").isInstanceOf(ByteBuf.class);
        ByteBuf bytes = (ByteBuf) out;
        try {
            return MqttCodec.decode(bytes, ProtocolVersion.MQTT_5);
        } finally {
            bytes.release();
        }
    }

    private double packets(String direction, String type) {
        return registry.get("volantmq.packets." + direction).tag("type", type).counter().count();
    }
}
