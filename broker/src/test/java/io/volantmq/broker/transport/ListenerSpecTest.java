package io.volantmq.broker.transport;

import io.volantmq.broker.BrokerConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ListenerSpecTest {
    private final BrokerConfig config = BrokerConfig.builder().maxPacketSize(65_536)
            .setting("volantmq.tls.certFile", "/etc/volantmq/chain.pem")
            .setting("tls.keyFile", "/etc/volantmq/key.pem")
            .setting("auth", "file")
            .setting("maxConnections", "500")
            .build();

    private ListenerSpec parse(String uri) {
        return ListenerSpec.parse(URI.create(uri), config);
    }

    @Test
    void aPlainTcpListenerTakesTheBrokerWideSettings() {
        ListenerSpec spec = parse("tcp://0.0.0.0:1883");
        assertThat(spec.transport()).isEqualTo(Transport.TCP);
        assertThat(spec.path()).isNull();
        assertThat(spec.proxy()).isFalse();
        assertThat(spec.maxPacketSize()).isEqualTo(65_536);
        assertThat(spec.settings().get("auth")).isEqualTo("file");
        assertThat(spec.maxConnections()).as("volantmq.maxConnections is the broker-wide limit").isZero();
    }

    @Test
    void theQueryOverridesForOneListenerAndStaysOutOfThePublicUri() {
        ListenerSpec spec = parse("ssl://127.0.0.1:8883?auth=certificate,file&tls.clientAuth=required"
                + "&tls.caFile=/etc/ca%20dir/ca.pem&proxy=true&maxConnections=10&connectRate=5.5"
                + "&maxPacketSize=1024&publishRate=100&bandwidth=65536");
        assertThat(spec.transport()).isEqualTo(Transport.SSL);
        assertThat(spec.publicUri()).hasToString("ssl://127.0.0.1:8883");
        assertThat(spec.settings().get("auth")).isEqualTo("certificate,file");
        assertThat(spec.settings().get("tls.caFile")).isEqualTo("/etc/ca dir/ca.pem");
        assertThat(spec.settings().get("tls.certFile")).isEqualTo("/etc/volantmq/chain.pem");
        assertThat(spec.proxy()).isTrue();
        assertThat(spec.maxConnections()).isEqualTo(10);
        assertThat(spec.connectRate()).isEqualTo(5.5);
        assertThat(spec.maxPacketSize()).isEqualTo(1024);
        assertThat(spec.publishRate()).isEqualTo(100);
        assertThat(spec.bandwidth()).isEqualTo(65536);
    }

    @Test
    void thePreConnectLimitDefaultsTo64KiBAndIsSetPerListenerUpToMaxPacketSize() {
        assertThat(parse("tcp://0.0.0.0:1883").maxConnectPacketSize()).isEqualTo(65_536);
        assertThat(parse("tcp://0.0.0.0:1883?maxPacketSize=1024").maxConnectPacketSize())
                .as("never above the listener's maxPacketSize").isEqualTo(1024);
        assertThat(parse("tcp://0.0.0.0:1883?maxConnectPacketSize=4096").maxConnectPacketSize()).isEqualTo(4096);
        assertThatThrownBy(() -> parse("tcp://0.0.0.0:1883?maxConnectPacketSize=70000"))
                .hasMessageContaining("maxConnectPacketSize").hasMessageContaining("tcp://0.0.0.0:1883");
        assertThatThrownBy(() -> parse("tcp://0.0.0.0:1883?maxConnectPacketSize=8"))
                .hasMessageContaining("maxConnectPacketSize");
    }

    @Test
    void webSocketListenersHaveAPathDefaultingToMqtt() {
        assertThat(parse("ws://0.0.0.0:8080").path()).isEqualTo("/mqtt");
        assertThat(parse("ws://0.0.0.0:8080/").path()).isEqualTo("/mqtt");
        ListenerSpec wss = parse("wss://0.0.0.0:8443/broker/ws?tls.keyFile=/k.pem");
        assertThat(wss.path()).isEqualTo("/broker/ws");
        assertThat(wss.publicUri()).hasToString("wss://0.0.0.0:8443/broker/ws");
        assertThat(wss.settings().get("tls.keyFile")).isEqualTo("/k.pem");
    }

    @Test
    void mistakesAreReportedWithTheListenerNamed() {
        assertThatThrownBy(() -> parse("http://0.0.0.0:80")).hasMessageContaining("scheme 'http' is not supported")
                .hasMessageContaining("wss");
        assertThatThrownBy(() -> parse("tcp://0.0.0.0")).hasMessageContaining("needs a host and a port");
        assertThatThrownBy(() -> parse("tcp://0.0.0.0:1883/mqtt")).hasMessageContaining("only ws and wss");
        assertThatThrownBy(() -> parse("tcp://0.0.0.0:1883?proxi=true")).hasMessageContaining("unknown setting 'proxi'");
        assertThatThrownBy(() -> parse("tcp://0.0.0.0:1883?proxy=yes")).hasMessageContaining("proxy")
                .hasMessageContaining("true or false").hasMessageContaining("tcp://0.0.0.0:1883");
        assertThatThrownBy(() -> parse("tcp://0.0.0.0:1883?maxPacketSize=100000"))
                .as("a listener may lower the broker's limit, not raise it").hasMessageContaining("maxPacketSize");
        BrokerConfig noTls = BrokerConfig.builder().build();
        assertThatThrownBy(() -> ListenerSpec.parse(URI.create("ssl://0.0.0.0:8883"), noTls))
                .hasMessageContaining("volantmq.tls.certFile");
    }

    @Test
    void theListenerListSplitsOnlyBeforeASchemeSoQueriesMayHoldCommas() {
        Properties props = new Properties();
        props.setProperty("volantmq.listeners", "tcp://127.0.0.1:1883?auth=file,anonymous, ws://127.0.0.1:8080/mqtt,"
                + "ssl://127.0.0.1:8883?tls.certFile=/c.pem&tls.keyFile=/k.pem");
        props.setProperty("volantmq.acl.file", "/etc/volantmq/acl");
        BrokerConfig parsed = BrokerConfig.fromProperties(props);
        assertThat(parsed.listeners()).extracting(URI::toString).containsExactly(
                "tcp://127.0.0.1:1883?auth=file,anonymous", "ws://127.0.0.1:8080/mqtt",
                "ssl://127.0.0.1:8883?tls.certFile=/c.pem&tls.keyFile=/k.pem");
        assertThat(parsed.settings()).containsEntry("acl.file", "/etc/volantmq/acl");
    }
}
