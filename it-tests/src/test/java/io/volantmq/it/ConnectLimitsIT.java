package io.volantmq.it;

import io.volantmq.broker.Broker;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.scram.InMemoryScramCredentialStore;
import io.volantmq.broker.auth.scram.ScramClient;
import io.volantmq.broker.auth.scram.ScramSha256Mechanism;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Will;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.EOFException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The path from the first byte to the CONNACK is bounded: the pre-CONNECT packet limit
 * (maxConnectPacketSize), the bytes a client may send behind its CONNECT while it is authenticated, and
 * the time from the CONNECT to the CONNACK (connectTimeout).
 */
class ConnectLimitsIT {
    private static final String SCRAM = "SCRAM-SHA-256";

    /** A CONNECT's fixed header announcing 1 MiB, then its first variable-header bytes up to the level. */
    private static byte[] oneMebibyteConnectHeader(int level) {
        return new byte[] {0x10, (byte) 0x80, (byte) 0x80, 0x40, 0x00, 0x04, 'M', 'Q', 'T', 'T', (byte) level};
    }

    private static Broker scramBroker(int connectTimeoutSeconds) {
        return Broker.builder()
                .config(BrokerConfig.builder().listener("tcp://127.0.0.1:0?auth=anonymous," + SCRAM)
                        .persistence("memory")
                        .connectTimeoutSeconds(connectTimeoutSeconds).build())
                .authMechanism(new ScramSha256Mechanism(new InMemoryScramCredentialStore(Map.of("alice", "s3cret"))))
                .build().start();
    }

    private static int port(Broker broker) {
        return broker.boundAddresses().get(0).getPort();
    }

    @Test
    void a311ConnectAnnouncingOneMebibyteIsClosedBeforeItsBodyArrives() throws Exception {
        // a CONNECT timeout far away: only the size limit can close this connection in time
        try (BrokerFixture broker = BrokerFixture.start(b -> b.connectTimeoutSeconds(600));
             RawClient raw = new RawClient(broker.port())) {
            raw.sendRaw(oneMebibyteConnectHeader(4)); // the body is never sent
            assertThrows(EOFException.class, () -> raw.receiveOrNull(10_000), "closed without a CONNACK");
        }
    }

    @Test
    void an5ConnectAnnouncingOneMebibyteGets0x95BeforeItsBodyArrives() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.connectTimeoutSeconds(600));
             RawClient raw = new RawClient(broker.port())) {
            raw.setVersion(ProtocolVersion.MQTT_5);
            raw.sendRaw(oneMebibyteConnectHeader(5));
            ConnAck connAck = (ConnAck) raw.receiveOrNull(10_000);
            assertThat(connAck.reasonCode()).isEqualTo(ReasonCode.PACKET_TOO_LARGE);
            assertThat(raw.closedWithin(5000)).isTrue();
        }
    }

    @Test
    void theLimitIsPerListenerAndRisesToMaxPacketSizeOnceAuthenticated() throws Exception {
        Connect withBigWill = new Connect(ProtocolVersion.MQTT_3_1_1, "big-will", true, 60, "u", new byte[65_000],
                new Will("w", new byte[65_000], 0, false, null), null); // about 130 KB
        // the fixture's listener keeps the default; the second one has room for the big CONNECT
        try (BrokerFixture broker = BrokerFixture.start(b -> b
                .listener("tcp://127.0.0.1:0?maxConnectPacketSize=200000"))) {
            int defaultPort = broker.broker().boundAddresses().get(0).getPort();
            int roomyPort = broker.broker().boundAddresses().get(1).getPort();
            try (RawClient raw = new RawClient(defaultPort)) {
                try {
                    raw.send(withBigWill);
                } catch (SocketException e) {
                    // the broker closed before the client had written it all: as intended
                }
                assertThat(raw.closedWithin(10_000)).as("over the default 64 KiB: closed").isTrue();
            }
            try (RawClient raw = new RawClient(roomyPort)) {
                assertThat(raw.connect(withBigWill).reasonCode()).isZero();
            }
            try (RawClient raw = new RawClient(defaultPort)) {
                assertThat(raw.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "big-publisher", true, 60, null,
                        null, null, null)).reasonCode()).isZero();
                raw.send(new Publish("big", 1, false, false, 1, new byte[1024 * 1024], null));
                PubReply ack = (PubReply) raw.receive();
                assertThat(ack.type()).as("authenticated: maxPacketSize applies").isEqualTo(PacketType.PUBACK);
            }
        }
    }

    @Test
    void webSocketFramesAreBoundedByThePreConnectLimitUntilTheConnectIsAccepted() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b
                .listener("ws://127.0.0.1:0/mqtt?maxConnectPacketSize=1024")
                .maxPacketSize(8192).connectTimeoutSeconds(600))) {
            int ws = broker.broker().boundAddresses().get(1).getPort();
            try (WebSocketRawClient raw = new WebSocketRawClient(ws)) {
                assertThat(raw.handshake("/mqtt", "mqtt")).isEqualTo(101);
                // a masked binary frame announcing 8000 bytes, whose payload never comes: closed at its header
                raw.sendRaw(new byte[] {(byte) 0x82, (byte) (0x80 | 126), 0x1F, 0x40, 1, 2, 3, 4});
                assertThat(raw.closedWithin(10_000)).as("a frame over maxConnectPacketSize before CONNECT").isTrue();
            }
            try (WebSocketRawClient raw = new WebSocketRawClient(ws)) {
                assertThat(raw.handshake("/mqtt", "mqtt")).isEqualTo(101);
                raw.frame(WebSocketRawClient.BINARY, true, EarlyPacketsIT.oneWrite(ProtocolVersion.MQTT_3_1_1,
                        new Connect(ProtocolVersion.MQTT_3_1_1, "ws-big", true, 60, null, null, null, null)));
                assertThat(raw.readMqtt(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                raw.frame(WebSocketRawClient.BINARY, true, EarlyPacketsIT.oneWrite(ProtocolVersion.MQTT_3_1_1,
                        new Publish("ws/big", 1, false, false, 5, new byte[5000], null)));
                assertThat(raw.readMqtt(4)).as("PUBACK: connected, frames up to maxPacketSize")
                        .containsExactly(0x40, 0x02, 0x00, 0x05);
            }
        }
    }

    @Test
    void aBurstOf1000PacketsBehindTheConnectDuringAuthenticationIsRefusedWith0x97() throws Exception {
        Broker broker = scramBroker(600);
        try (RawClient raw = new RawClient(port(broker))) {
            raw.setVersion(ProtocolVersion.MQTT_5);
            List<MqttMessage> packets = new ArrayList<>();
            packets.add(connect("burst", true, 60, props(PropertyId.AUTHENTICATION_METHOD, SCRAM,
                    PropertyId.AUTHENTICATION_DATA, new ScramClient("alice", "s3cret").clientFirstMessage())));
            for (int i = 1; i <= 1000; i++) {
                packets.add(new Publish("burst", 1, false, false, i, new byte[100], null));
            }
            raw.sendRaw(EarlyPacketsIT.oneWrite(ProtocolVersion.MQTT_5, packets.toArray(MqttMessage[]::new)));
            MqttMessage reply = raw.receive();
            if (reply instanceof Auth challenge) { // the SCRAM challenge may come before the refusal
                assertThat(challenge.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
                reply = raw.receive();
            }
            assertThat(((ConnAck) reply).reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
            assertThat(raw.closedWithin(5000)).isTrue();
        } finally {
            broker.close();
        }
    }

    @Test
    void anEnhancedAuthExchangeTheClientAbandonsIsRefusedAfterConnectTimeout() throws Exception {
        Broker broker = scramBroker(2);
        // built before the sockets open: each CONNECT must arrive within the 2 s
        ScramClient scram = new ScramClient("alice", "s3cret");
        Connect holderConnect = connect("stall", true, 600, props(PropertyId.AUTHENTICATION_METHOD, SCRAM,
                PropertyId.AUTHENTICATION_DATA, scram.clientFirstMessage()));
        Connect stalledConnect = connect("stall", true, 600, props(PropertyId.AUTHENTICATION_METHOD, SCRAM,
                PropertyId.AUTHENTICATION_DATA, new ScramClient("alice", "s3cret").clientFirstMessage()));
        try (RawClient holder = new RawClient(port(broker))) {
            // the session's owner, connected the normal way; the stalled exchange must not take it over
            holder.send(holderConnect);
            Auth first = (Auth) holder.receive();
            holder.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, props(PropertyId.AUTHENTICATION_METHOD, SCRAM,
                    PropertyId.AUTHENTICATION_DATA,
                    scram.clientFinalMessage(first.properties().getBinary(PropertyId.AUTHENTICATION_DATA)))));
            assertThat(((ConnAck) holder.receive()).reasonCode()).isZero();

            RawClient stalled = new RawClient(port(broker));
            stalled.send(stalledConnect);
            Auth challenge = (Auth) stalled.receive();
            assertThat(challenge.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
            // ... and the client never answers it
            ConnAck refused = (ConnAck) stalled.receiveOrNull(15_000);
            assertThat(refused).as("refused within a generous bound of the 2 s timeout").isNotNull();
            assertThat(refused.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            assertThat(stalled.closedWithin(5000)).isTrue();
            stalled.close();

            holder.send(PingReq.INSTANCE);
            assertThat(holder.receive()).as("the session was never claimed").isInstanceOf(PingResp.class);
        } finally {
            broker.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"MQTT_3_1_1, 3", "MQTT_5, 136"})
    void anAuthProviderThatNeverAnswersEndsInServerUnavailable(ProtocolVersion version, int code) throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.connectTimeoutSeconds(1)
                .listener("tcp://127.0.0.1:0?auth=stalling"));
             RawClient raw = new RawClient(broker.broker().boundAddresses().get(1).getPort())) {
            raw.send(new Connect(version, "waits-forever", true, 60, "u", "p".getBytes(), null, null));
            ConnAck refused = (ConnAck) raw.receiveOrNull(15_000);
            assertThat(refused).as("refused within a generous bound of the 1 s timeout").isNotNull();
            assertThat(refused.reasonCode()).isEqualTo(code);
            assertThat(raw.closedWithin(5000)).isTrue();
        }
    }
}
