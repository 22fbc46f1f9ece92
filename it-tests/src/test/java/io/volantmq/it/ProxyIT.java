package io.volantmq.it;

import io.volantmq.broker.auth.AuthRequest;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A listener behind a load balancer ({@code ?proxy=true}): hand-written PROXY v1 and v2 headers carry
 * the client address, which auth providers (and so ACLs and logs) see instead of the balancer's.
 */
class ProxyIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start(b -> b.listener("tcp://127.0.0.1:0?proxy=true&auth=recording,anonymous"));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @BeforeEach
    void clear() {
        AuthRecordingProvider.REQUESTS.clear();
    }

    private static int proxyPort() {
        return broker.broker().boundAddresses().get(1).getPort();
    }

    private static Connect connect(String clientId) {
        return new Connect(ProtocolVersion.MQTT_3_1_1, clientId, true, 60, null, null, null, null);
    }

    @Test
    void aVersion1HeaderCarriesTheClientAddress() throws Exception {
        try (RawClient client = new RawClient(proxyPort())) {
            client.sendRaw("PROXY TCP4 203.0.113.7 10.0.0.5 51234 1883\r\n".getBytes(StandardCharsets.US_ASCII));
            ConnAck ack = client.connect(connect("behind-v1"));
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        }
        AuthRequest seen = AuthRecordingProvider.REQUESTS.poll(10, TimeUnit.SECONDS);
        assertThat(seen).isNotNull();
        assertThat(seen.clientId()).isEqualTo("behind-v1");
        assertThat(seen.remoteAddress()).isEqualTo(new InetSocketAddress("203.0.113.7", 51234));
    }

    @Test
    void aVersion2HeaderCarriesAnIpv6ClientAddress() throws Exception {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        header.write(0x21); // version 2, command PROXY
        header.write(0x21); // AF_INET6, STREAM
        header.writeBytes(new byte[] {0x00, 36}); // addresses: 16 + 16 + 2 + 2
        byte[] source = new byte[16];
        source[0] = 0x20;
        source[1] = 0x01;
        source[2] = 0x0d;
        source[3] = (byte) 0xb8;
        source[15] = 0x07; // 2001:db8::7
        header.writeBytes(source);
        header.writeBytes(new byte[16]);
        header.writeBytes(new byte[] {(byte) 0x9C, 0x40}); // source port 40000
        header.writeBytes(new byte[] {0x07, 0x5B}); // destination port 1883
        try (RawClient client = new RawClient(proxyPort())) {
            client.sendRaw(header.toByteArray());
            assertThat(client.connect(connect("behind-v2")).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        }
        AuthRequest seen = AuthRecordingProvider.REQUESTS.poll(10, TimeUnit.SECONDS);
        InetSocketAddress address = (InetSocketAddress) seen.remoteAddress();
        assertThat(address.getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:7");
        assertThat(address.getPort()).isEqualTo(40000);
    }

    @Test
    void withoutAHeaderTheConnectionIsClosedAtOnce() throws Exception {
        try (RawClient client = new RawClient(proxyPort())) {
            client.send(connect("no-header"));
            assertThat(client.closedWithin(3000)).isTrue();
        }
        assertThat(AuthRecordingProvider.REQUESTS).isEmpty();
    }

    @Test
    void aListenerWithoutProxyTakesTheSocketsAddressAndRefusesHeaders() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.sendRaw("PROXY TCP4 203.0.113.7 10.0.0.5 51234 1883\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.closedWithin(3000)).as("a header is not MQTT: a forged address goes nowhere").isTrue();
        }
    }
}
