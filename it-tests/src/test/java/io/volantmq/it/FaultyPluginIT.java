package io.volantmq.it;

import io.micrometer.core.instrument.Counter;
import io.volantmq.broker.Broker;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.plugin.api.ClientInfo;
import io.volantmq.plugin.api.InterceptResult;
import io.volantmq.plugin.api.Message;
import io.volantmq.plugin.api.Plugin;
import io.volantmq.plugin.api.PluginContext;
import io.volantmq.plugin.api.PublishInterceptor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Plugins that fail (issue 12): one that throws in start, one that throws in an interceptor, one that blocks
 * past the timeout. In each case the broker keeps serving real clients and the per-plugin metric counts it.
 */
class FaultyPluginIT {

    /** A plugin whose start throws. */
    static final class BrokenStart implements Plugin {
        @Override
        public String id() {
            return "broken-start";
        }

        @Override
        public void start(PluginContext context) {
            context.registerPublishInterceptor((c, m) -> InterceptResult.drop(0x80, "must never run"));
            throw new IllegalStateException("cannot start");
        }
    }

    /** A plugin whose inbound interceptor throws on topic "boom", or never returns on topic "hang". */
    static final class Faulty implements Plugin {
        final CountDownLatch released = new CountDownLatch(1);
        final boolean nonBlocking;

        Faulty(boolean nonBlocking) {
            this.nonBlocking = nonBlocking;
        }

        @Override
        public String id() {
            return "faulty";
        }

        @Override
        public void start(PluginContext context) {
            context.registerPublishInterceptor(new PublishInterceptor() {
                @Override
                public InterceptResult onPublish(ClientInfo publisher, Message m) {
                    if (m.topic().equals("boom")) {
                        throw new IllegalStateException("interceptor bug");
                    }
                    if (m.topic().equals("hang")) {
                        try {
                            released.await(); // until the broker gives up and interrupts it
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return InterceptResult.proceed();
                }

                @Override
                public boolean nonBlocking() {
                    return nonBlocking;
                }
            });
        }
    }

    /** An authenticator that never answers, an authorizer that throws, a periodic task that throws. */
    static final class Stuck implements Plugin {
        @Override
        public String id() {
            return "stuck";
        }

        @Override
        public void start(PluginContext context) {
            context.registerAuthenticator("never", request -> new java.util.concurrent.CompletableFuture<>());
            context.registerAuthorizer(new io.volantmq.plugin.api.Authorizer() {
                @Override
                public io.volantmq.plugin.api.Decision mayPublish(ClientInfo client, String topic) {
                    if (topic.equals("authz/boom")) {
                        throw new IllegalStateException("authorizer bug");
                    }
                    return io.volantmq.plugin.api.Decision.NEXT;
                }
            });
            context.scheduler().scheduleAtFixedRate(() -> {
                throw new IllegalStateException("periodic bug");
            }, 0, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void aLateAuthenticatorRefusesWith0x88AThrowingAuthorizerDeniesAndAThrowingTaskKeepsItsSchedule() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("plugins.timeoutMillis", "300")
                .listener("tcp://127.0.0.1:0?auth=never"), List.of(new Stuck()))) {
            String never = "tcp://127.0.0.1:" + broker.broker().boundAddresses().get(1).getPort();
            assertThatThrownBy(() -> Paho5.connect(never, "late"))
                    .isInstanceOfSatisfying(org.eclipse.paho.mqttv5.common.MqttException.class,
                            e -> assertThat(e.getReasonCode()).isEqualTo(0x88));
            assertThat(failures(broker, "stuck", "timeout")).isEqualTo(1.0);
            try (Paho5 pub = Paho5.connect(broker.uri(), "pub")) {
                assertThat(pub.publish("authz/boom", "x", 1, false)).isEqualTo(0x87); // fails closed
                assertThat(pub.publish("authz/fine", "x", 1, false)).isEqualTo(0x10); // no subscribers, allowed
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> broker.broker().metrics().registry().find("volantmq.plugin.failures").tag("plugin", "stuck")
                            .tag("hook", "scheduled").counters().stream().mapToDouble(Counter::count).sum() >= 3);
            assertServes(broker, "other");
        }
    }

    private static double failures(BrokerFixture broker, String plugin, String kind) {
        return broker.broker().metrics().registry().find("volantmq.plugin.failures").tag("plugin", plugin)
                .tag("kind", kind).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static void assertServes(BrokerFixture broker, String topic) throws Exception {
        try (Paho5 sub = Paho5.connect(broker.uri(), "check-sub"); Paho5 pub = Paho5.connect(broker.uri(), "check-pub")) {
            sub.subscribe(topic, 1);
            assertThat(pub.publish(topic, "alive", 1, false)).isZero();
            assertThat(sub.next().payload()).isEqualTo("alive");
        }
    }

    @Test
    void aPluginThatThrowsInStartIsLeftOutAndCounted() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> { }, List.of(new BrokenStart()))) {
            assertThat(broker.broker().plugins()).isEmpty();
            assertThat(failures(broker, "broken-start", "exception")).isEqualTo(1.0);
            assertServes(broker, "ok"); // its interceptor, registered before it threw, is not installed
        }
    }

    @Test
    void withPluginsRequiredTheBrokerRefusesToStart() {
        BrokerConfig config = BrokerConfig.builder().listener("tcp://127.0.0.1:0").persistence("memory")
                .setting("plugins.required", "true").build();
        Broker broker = Broker.builder().config(config).plugin(new BrokenStart()).build();
        assertThatThrownBy(broker::start).hasMessageContaining("plugin broken-start failed to start")
                .hasMessageContaining("volantmq.plugins.required=true");
    }

    @Test
    void anInterceptorThatThrowsOnTheEventLoopIsCountedAndTheMessageContinues() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> { }, List.of(new Faulty(true)))) {
            try (Paho5 sub = Paho5.connect(broker.uri(), "sub"); Paho5 pub = Paho5.connect(broker.uri(), "pub")) {
                sub.subscribe("boom", 1);
                for (int i = 0; i < 3; i++) {
                    assertThat(pub.publish("boom", "m" + i, 1, false)).isZero();
                    assertThat(sub.next().payload()).isEqualTo("m" + i);
                }
                assertThat(pub.client.isConnected()).isTrue();
            }
            assertThat(failures(broker, "faulty", "exception")).isEqualTo(3.0);
            assertServes(broker, "other");
        }
    }

    @Test
    void withFailureActionRefuseAThrowingInterceptorDropsWith0x80() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("plugins.failureAction", "refuse"),
                List.of(new Faulty(false)))) {
            try (Paho5 sub = Paho5.connect(broker.uri(), "sub"); Paho5 pub = Paho5.connect(broker.uri(), "pub")) {
                sub.subscribe("boom", 1);
                assertThat(pub.publish("boom", "x", 1, false)).isEqualTo(0x80);
                assertThat(sub.poll(300)).isNull();
            }
            assertThat(failures(broker, "faulty", "exception")).isEqualTo(1.0);
            assertServes(broker, "other");
        }
    }

    @Test
    void anInterceptorThatBlocksPastTheTimeoutIsCountedAndTheBrokerKeepsServing() throws Exception {
        Faulty faulty = new Faulty(false);
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("plugins.timeoutMillis", "300"),
                List.of(faulty))) {
            try (Paho5 sub = Paho5.connect(broker.uri(), "sub"); Paho5 pub = Paho5.connect(broker.uri(), "pub")) {
                sub.subscribe("hang", 1);
                // failureAction=continue (the default): after the timeout the message goes on unchanged
                assertThat(pub.publish("hang", "late", 1, false)).isZero();
                assertThat(sub.next().payload()).isEqualTo("late");
            }
            assertThat(failures(broker, "faulty", "timeout")).isEqualTo(1.0);
            assertServes(broker, "other");
        } finally {
            faulty.released.countDown();
        }
    }
}
