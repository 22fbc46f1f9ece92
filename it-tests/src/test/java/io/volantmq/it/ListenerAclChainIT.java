package io.volantmq.it;

import io.volantmq.broker.Broker;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.plugin.api.Authorizer;
import io.volantmq.plugin.api.ClientInfo;
import io.volantmq.plugin.api.Decision;
import io.volantmq.plugin.api.Plugin;
import io.volantmq.plugin.api.PluginContext;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Authorizers join a listener's chain by plugin id ({@code acl=gate,file} on the listener), next to the ACL
 * file; a listener that names none keeps the broker-wide chain (every plugin authorizer, then the file).
 */
class ListenerAclChainIT {

    /** Denies publishing to secret/#, passes everything else on. */
    static final class Gate implements Plugin {
        @Override
        public String id() {
            return "gate";
        }

        @Override
        public void start(PluginContext context) {
            context.registerAuthorizer(new Authorizer() {
                @Override
                public Decision mayPublish(ClientInfo client, String topic) {
                    return topic.startsWith("secret/") ? Decision.DENY : Decision.NEXT;
                }

                @Override
                public boolean nonBlocking() {
                    return true;
                }
            });
        }
    }

    private static String uri(BrokerFixture broker, int index) {
        java.net.InetSocketAddress a = broker.broker().boundAddresses().get(index);
        return "tcp://" + a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Test
    void eachListenerAsksTheAuthorizersItNames() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b
                .listener("tcp://localhost:0?acl=file")          // the ACL file only: the gate is not asked
                .listener("tcp://127.0.0.2:0?acl=gate"),         // the gate only: what it passes on is denied
                List.of(new Gate()))) {
            try (Paho5 def = Paho5.connect(uri(broker, 0), "default");
                 Paho5 fileOnly = Paho5.connect(uri(broker, 1), "file-only");
                 Paho5 gateOnly = Paho5.connect(uri(broker, 2), "gate-only")) {
                // no acl named: the broker-wide chain, the gate then the file (no file: allowed)
                assertThat(def.publish("secret/x", "s", 1, false)).isEqualTo(0x87);
                assertThat(def.publish("open/x", "o", 1, false)).isEqualTo(0x10);
                // acl=file: the gate is not in this listener's chain
                assertThat(fileOnly.publish("secret/x", "s", 1, false)).isEqualTo(0x10);
                // acl=gate: the gate decides; what it passes on (NEXT) is denied, there being no file in the chain
                assertThat(gateOnly.publish("secret/x", "s", 1, false)).isEqualTo(0x87);
                assertThat(gateOnly.publish("open/x", "o", 1, false)).isEqualTo(0x87);
            }
        }
    }

    @Test
    void aChainNamingAnUnknownAuthorizerOrFileNotLastFailsAtStart() {
        for (String chain : List.of("nobody,file", "file,gate")) {
            BrokerConfig config = BrokerConfig.builder().listener("tcp://127.0.0.1:0?acl=" + chain)
                    .persistence("memory").build();
            Broker broker = Broker.builder().config(config).plugin(new Gate()).build();
            assertThatThrownBy(broker::start).hasMessageContaining("acl");
        }
    }
}
