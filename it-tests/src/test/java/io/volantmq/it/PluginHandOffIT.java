package io.volantmq.it;

import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.plugin.api.Authorizer;
import io.volantmq.plugin.api.ConnectInterceptor;
import io.volantmq.plugin.api.ConnectResult;
import io.volantmq.plugin.api.SubscribeInterceptor;
import io.volantmq.plugin.api.SubscribeResult;
import io.volantmq.plugin.api.ClientInfo;
import io.volantmq.plugin.api.Decision;
import io.volantmq.plugin.api.InterceptResult;
import io.volantmq.plugin.api.Message;
import io.volantmq.plugin.api.Plugin;
import io.volantmq.plugin.api.PluginContext;
import io.volantmq.plugin.api.PublishInterceptor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plugin hook that blocks (not non-blocking) is handed off: the connection it decides for stops reading,
 * its event loop goes on serving the others, and the connection's later packets follow in order once the
 * hook answered. One event loop ({@code ioThreads=1}) so every client shares it.
 */
class PluginHandOffIT {

    /** Blocks in its interceptor (or authorizer) on topic "a/1" until released; records what it saw. */
    static final class Slow implements Plugin {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> seen = new ArrayList<>();
        volatile boolean returned;
        final boolean inAuthorizer;

        Slow(boolean inAuthorizer) {
            this.inAuthorizer = inAuthorizer;
        }

        @Override
        public String id() {
            return "slow";
        }

        private void block(String topic) {
            synchronized (seen) {
                seen.add(topic);
            }
            if (topic.equals("a/1") || topic.equals("hang")) {
                entered.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the broker gave up on it
                }
                returned = true;
            }
        }

        List<String> seen() {
            synchronized (seen) {
                return List.copyOf(seen);
            }
        }

        @Override
        public void start(PluginContext context) {
            if (inAuthorizer) {
                context.registerAuthorizer(new Authorizer() {
                    @Override
                    public Decision mayPublish(ClientInfo client, String topic) {
                        block(topic);
                        return Decision.ALLOW;
                    }
                });
                return;
            }
            context.registerPublishInterceptor(new PublishInterceptor() {
                @Override
                public InterceptResult onPublish(ClientInfo publisher, Message m) {
                    block(m.topic());
                    return InterceptResult.proceed();
                }

                @Override
                public boolean nonBlocking() {
                    return false; // the default, said out loud: this one runs on the plugin's executor
                }
            });
        }
    }

    @Test
    void aBlockingInterceptorDoesNotStallTheOtherConnectionsOfItsEventLoop() throws Exception {
        handOff(new Slow(false));
    }

    @Test
    void aBlockingAuthorizerDoesNotStallTheOtherConnectionsOfItsEventLoop() throws Exception {
        handOff(new Slow(true));
    }

    private void handOff(Slow slow) throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("ioThreads", "1")
                .setting("plugins.timeoutMillis", "30000"), List.of(slow));
             Paho5 sub = Paho5.connect(broker.uri(), "sub");
             RawClient a = new RawClient(broker.port())) {
            sub.subscribe("a/#", 1);
            a.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "a", true, 60, null, null, null, null));
            // three packets at once: the first is held by the plugin, the other two must wait behind it
            a.send(new Publish("a/1", 1, false, false, 1, "1".getBytes(), null));
            a.send(new Publish("a/2", 1, false, false, 2, "2".getBytes(), null));
            a.send(new Publish("a/3", 0, false, false, 0, "3".getBytes(), null));
            assertThat(slow.entered.await(10, TimeUnit.SECONDS)).isTrue();

            // B on the same event loop: connects, publishes and gets its PUBACK while A's hook still runs
            try (Paho5 b = Paho5.connect(broker.uri(), "b")) {
                assertThat(b.publish("b/x", "hi", 1, false)).isEqualTo(0x10); // no matching subscribers
            }
            assertThat(slow.returned).isFalse();
            assertThat(slow.seen()).doesNotContain("a/2", "a/3"); // A's later packets wait for the first
            slow.release.countDown();

            // A's acknowledgements in order, its messages routed in order
            assertThat(pubAck(a.receive())).isEqualTo(1);
            assertThat(pubAck(a.receive())).isEqualTo(2);
            assertThat(sub.next().payload()).isEqualTo("1");
            assertThat(sub.next().payload()).isEqualTo("2");
            assertThat(sub.next().payload()).isEqualTo("3");
            assertThat(slow.seen()).containsSubsequence("a/1", "a/2", "a/3");
        } finally {
            slow.release.countDown();
        }
    }

    /** Blocks in its SUBSCRIBE interceptor on filter "s/1" and its CONNECT interceptor for client "c-slow". */
    static final class SlowSubscribeAndConnect implements Plugin {
        final CountDownLatch subscribeEntered = new CountDownLatch(1);
        final CountDownLatch connectEntered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String id() {
            return "slow-sc";
        }

        private void block(CountDownLatch entered) {
            entered.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void start(PluginContext context) {
            context.registerSubscribeInterceptor(new SubscribeInterceptor() {
                @Override
                public SubscribeResult onSubscribe(ClientInfo subscriber, String filter, int qos) {
                    if (filter.equals("s/1")) {
                        block(subscribeEntered);
                    }
                    return SubscribeResult.keep(filter, qos);
                }
            });
            context.registerConnectInterceptor(new ConnectInterceptor() {
                @Override
                public ConnectResult onConnect(ClientInfo client, List<io.volantmq.plugin.api.UserProperty> properties) {
                    if (client.clientId().equals("c-slow")) {
                        block(connectEntered);
                    }
                    return ConnectResult.accept();
                }
            });
        }
    }

    @Test
    void blockingSubscribeAndConnectInterceptorsDoNotStallTheEventLoop() throws Exception {
        SlowSubscribeAndConnect slow = new SlowSubscribeAndConnect();
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("ioThreads", "1")
                .setting("plugins.timeoutMillis", "30000"), List.of(slow));
             RawClient a = new RawClient(broker.port());
             RawClient c = new RawClient(broker.port())) {
            a.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "a", true, 60, null, null, null, null));
            a.send(new io.volantmq.broker.protocol.Subscribe(1, List.of(
                    new io.volantmq.broker.protocol.Subscription("s/1", 1, false, false, 0)), null));
            a.send(new Publish("s/1", 1, false, false, 2, "x".getBytes(), null)); // waits behind the SUBSCRIBE
            assertThat(slow.subscribeEntered.await(10, TimeUnit.SECONDS)).isTrue();
            c.send(new Connect(ProtocolVersion.MQTT_3_1_1, "c-slow", true, 60, null, null, null, null));
            assertThat(slow.connectEntered.await(10, TimeUnit.SECONDS)).isTrue();
            try (Paho5 b = Paho5.connect(broker.uri(), "b")) { // served while both hooks run
                assertThat(b.publish("b/x", "hi", 1, false)).isEqualTo(0x10);
            }
            slow.release.countDown();
            // SUBACK, then the PUBACK and the message itself (A subscribed to it), in order
            assertThat(a.receive().type()).isEqualTo(PacketType.SUBACK);
            List<PacketType> next = List.of(a.receive().type(), a.receive().type());
            assertThat(next).containsExactlyInAnyOrder(PacketType.PUBACK, PacketType.PUBLISH);
            assertThat(c.receive().type()).isEqualTo(PacketType.CONNACK);
        } finally {
            slow.release.countDown();
        }
    }

    private static int pubAck(MqttMessage m) {
        assertThat(m.type()).isEqualTo(PacketType.PUBACK);
        return ((PubReply) m).packetId();
    }

    @Test
    void aHandedOffInterceptorThatTimesOutGetsTheFailureActionAndTheNextPacketsFollowInOrder() throws Exception {
        Slow slow = new Slow(false);
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("ioThreads", "1")
                .setting("plugins.timeoutMillis", "300").setting("plugins.failureAction", "refuse"), List.of(slow));
             Paho5 sub = Paho5.connect(broker.uri(), "sub");
             Paho5 pub = Paho5.connect(broker.uri(), "pub")) {
            sub.subscribe("#", 1);
            // failureAction=refuse: after the timeout the message is dropped with PUBACK 0x80
            assertThat(pub.publish("hang", "late", 1, false)).isEqualTo(0x80);
            assertThat(pub.publish("after", "next", 1, false)).isZero();
            assertThat(sub.next().payload()).isEqualTo("next");
            assertThat(broker.broker().metrics().registry().find("volantmq.plugin.failures").tag("plugin", "slow")
                    .tag("kind", "timeout").counter().count()).isEqualTo(1.0);
        } finally {
            slow.release.countDown();
        }
    }
}
