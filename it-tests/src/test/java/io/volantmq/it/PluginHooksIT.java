package io.volantmq.it;

import io.volantmq.plugin.api.AuthenticationResult;
import io.volantmq.plugin.api.Authorizer;
import io.volantmq.plugin.api.BrokerEventListener;
import io.volantmq.plugin.api.ClientInfo;
import io.volantmq.plugin.api.ConnectResult;
import io.volantmq.plugin.api.Decision;
import io.volantmq.plugin.api.InterceptResult;
import io.volantmq.plugin.api.Message;
import io.volantmq.plugin.api.Plugin;
import io.volantmq.plugin.api.PluginContext;
import io.volantmq.plugin.api.SubscribeResult;
import io.volantmq.plugin.api.UserProperty;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Every plugin hook (issue 12), driven by real MQTT 5 and 3.1.1 clients against an in-process broker. */
class PluginHooksIT {
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private BrokerFixture broker;

    /** One plugin with a hook of every kind; what each does is keyed by topic, filter or client id. */
    final class EveryHook implements Plugin {
        @Override
        public String id() {
            return "every-hook";
        }

        @Override
        public void start(PluginContext context) {
            context.registerAuthenticator("letters", request -> CompletableFuture.supplyAsync(() -> {
                if (request.username() == null) {
                    return AuthenticationResult.next();
                }
                String password = request.password() == null ? "" : new String(request.password(), StandardCharsets.UTF_8);
                return password.equals(new StringBuilder(request.username()).reverse().toString())
                        ? AuthenticationResult.allowAs("user-" + request.username())
                        : AuthenticationResult.deny(AuthenticationResult.BAD_USER_NAME_OR_PASSWORD, "wrong");
            }, context.executor()));
            context.registerAuthorizer(new Authorizer() {
                @Override
                public Decision mayPublish(ClientInfo client, String topic) {
                    return topic.startsWith("secret/") ? Decision.DENY : Decision.NEXT;
                }

                @Override
                public Decision maySubscribe(ClientInfo client, String filter) {
                    return filter.startsWith("private/") ? Decision.DENY : Decision.NEXT;
                }

                @Override
                public Decision mayWill(ClientInfo client, String topic) {
                    return topic.startsWith("lastwords/") ? Decision.DENY : Decision.NEXT;
                }

                @Override
                public boolean nonBlocking() {
                    return true;
                }
            });
            context.registerPublishInterceptor(new io.volantmq.plugin.api.PublishInterceptor() {
                @Override
                public InterceptResult onPublish(ClientInfo publisher, Message m) {
                    if (m.topic().startsWith("old/")) {
                        return InterceptResult.modify(m.withTopic("new/" + m.topic().substring(4))
                                .withPayload(("[" + new String(m.payload(), StandardCharsets.UTF_8) + "]").getBytes(StandardCharsets.UTF_8))
                                .withUserProperty("publisher", publisher.clientId()));
                    }
                    if (m.topic().equals("drop/me")) {
                        return InterceptResult.drop(0x97, "quota");
                    }
                    return InterceptResult.proceed();
                }

                @Override
                public boolean nonBlocking() {
                    return true;
                }
            });
            // blocking (the default): runs on the plugin's executor
            context.registerSubscribeInterceptor((client, filter, qos) -> {
                if (filter.equals("denied/#")) {
                    return SubscribeResult.deny(0x87);
                }
                if (filter.equals("alias")) {
                    return SubscribeResult.modify("real/topic", 0);
                }
                return SubscribeResult.keep(filter, qos);
            });
            context.registerOutboundInterceptor((subscriber, m) -> {
                if (!m.topic().startsWith("out/")) {
                    return InterceptResult.proceed();
                }
                if (subscriber.clientId().equals("sub-drop")) {
                    return InterceptResult.drop(0x80, "not for you");
                }
                return InterceptResult.modify(m.withPayload((new String(m.payload(), StandardCharsets.UTF_8) + " for "
                        + subscriber.clientId()).getBytes(StandardCharsets.UTF_8)));
            });
            context.registerConnectInterceptor((client, properties) -> {
                if (client.clientId().startsWith("banned")) {
                    return ConnectResult.refuse(0x8A, "banned");
                }
                return ConnectResult.acceptWith(List.of(new UserProperty("welcome", client.clientId())));
            });
            context.registerEventListener(new BrokerEventListener() {
                @Override
                public void onConnected(ClientInfo client) {
                    events.add("connected " + client.clientId());
                }

                @Override
                public void onDisconnected(ClientInfo client, String reason) {
                    events.add("disconnected " + client.clientId());
                }

                @Override
                public void onSubscribed(ClientInfo client, String filter, int qos) {
                    events.add("subscribed " + client.clientId() + " " + filter + " " + qos);
                }

                @Override
                public void onUnsubscribed(ClientInfo client, String filter) {
                    events.add("unsubscribed " + client.clientId() + " " + filter);
                }

                @Override
                public void onMessageDropped(String clientId, String topic, String reason) {
                    events.add("dropped " + clientId + " " + topic);
                }

                @Override
                public void onSessionExpired(String clientId) {
                    events.add("expired " + clientId);
                }
            });
        }
    }

    @BeforeEach
    void start() {
        broker = BrokerFixture.start(b -> b.setting("auth", "letters,anonymous"), List.of(new EveryHook()));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private String awaitEvent(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && e.startsWith(prefix)) {
                return e;
            }
        }
        throw new AssertionError("no event '" + prefix + "...' within 10 s");
    }

    @Test
    void inboundInterceptorRewritesTopicPayloadAndUserPropertiesAndDropsWithItsReasonCode() throws Exception {
        try (Paho5 sub = Paho5.connect(broker.uri(), "sub"); Paho5 pub = Paho5.connect(broker.uri(), "pub")) {
            assertThat(sub.subscribe("new/#", 1)).isEqualTo(1);
            assertThat(sub.subscribe("drop/#", 1)).isEqualTo(1);
            assertThat(pub.publish("old/a", "x", 1, false)).isZero();
            Paho5.Received r = sub.next();
            assertThat(r.topic()).isEqualTo("new/a");
            assertThat(r.payload()).isEqualTo("[x]");
            assertThat(r.message().getProperties().getUserProperties())
                    .anySatisfy(p -> assertThat(p.getKey() + "=" + p.getValue()).isEqualTo("publisher=pub"));
            assertThat(pub.publish("drop/me", "y", 1, false)).isEqualTo(0x97);
            assertThat(sub.poll(300)).isNull();
            assertThat(awaitEvent("dropped")).isEqualTo("dropped pub drop/me");
        }
    }

    @Test
    void subscribeInterceptorDeniesAndRewritesFiltersAndAuthorizerRefuses() throws Exception {
        try (Paho5 sub = Paho5.connect(broker.uri(), "sub"); Paho5 pub = Paho5.connect(broker.uri(), "pub")) {
            assertThat(sub.subscribe("denied/#", 1)).isEqualTo(0x87);
            assertThat(sub.subscribe("private/x", 1)).isEqualTo(0x87); // the authorizer
            assertThat(sub.subscribe("alias", 2)).isZero(); // rewritten to real/topic at QoS 0
            assertThat(awaitEvent("subscribed")).isEqualTo("subscribed sub real/topic 0");
            pub.publish("real/topic", "via alias", 1, false);
            Paho5.Received r = sub.next();
            assertThat(r.topic()).isEqualTo("real/topic");
            assertThat(r.message().getQos()).isZero();
            assertThat(pub.publish("secret/x", "no", 1, false)).isEqualTo(0x87); // the authorizer
        }
    }

    @Test
    void theAuthorizerDecidesOnWillsApartFromPublishes() throws Exception {
        MqttConnectionOptions o = Paho5.options();
        o.setWill("lastwords/bye", new org.eclipse.paho.mqttv5.common.MqttMessage("bye".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> Paho5.connect(broker.uri(), "willer", o))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        try (Paho5 c = Paho5.connect(broker.uri(), "publisher")) {
            assertThat(c.publish("lastwords/bye", "a publish, not a will", 1, false)).isEqualTo(0x10); // allowed
        }
    }

    @Test
    void outboundInterceptorChangesOrDropsPerSubscriber() throws Exception {
        try (Paho5 a = Paho5.connect(broker.uri(), "sub-a"); Paho5 d = Paho5.connect(broker.uri(), "sub-drop");
             Paho5 pub = Paho5.connect(broker.uri(), "pub")) {
            a.subscribe("out/#", 1);
            d.subscribe("out/#", 0);
            PahoSupport.Recorder v3 = new PahoSupport.Recorder();
            var c = PahoSupport.connect(broker.uri(), "sub-v3", true, v3);
            c.subscribe("out/#", 1);
            pub.publish("out/1", "hello", 1, false);
            assertThat(a.next().payload()).isEqualTo("hello for sub-a");
            assertThat(v3.next().payload()).isEqualTo("hello for sub-v3");
            assertThat(d.poll(300)).isNull();
            assertThat(awaitEvent("dropped")).isEqualTo("dropped sub-drop out/1");
            c.disconnect();
            c.close();
        }
    }

    @Test
    void connectInterceptorRefusesOrAddsConnAckUserProperties() throws Exception {
        try (Paho5 ok = Paho5.connect(broker.uri(), "friend")) {
            MqttProperties props = ok.connectToken.getResponseProperties();
            assertThat(props.getUserProperties())
                    .anySatisfy(p -> assertThat(p.getKey() + "=" + p.getValue()).isEqualTo("welcome=friend"));
        }
        assertThatThrownBy(() -> Paho5.connect(broker.uri(), "banned-1"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x8A));
    }

    @Test
    void authenticatorJoinsTheListenersChainByName() throws Exception {
        MqttConnectionOptions good = Paho5.options();
        good.setUserName("alice");
        good.setPassword("ecila".getBytes(StandardCharsets.UTF_8));
        try (Paho5 c = Paho5.connect(broker.uri(), "alice-1", good)) {
            assertThat(c.client.isConnected()).isTrue();
        }
        MqttConnectionOptions bad = Paho5.options();
        bad.setUserName("alice");
        bad.setPassword("alice".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Paho5.connect(broker.uri(), "alice-2", bad))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        // no user name: the plugin abstains, anonymous (next in the chain) admits
        try (Paho5 c = Paho5.connect(broker.uri(), "nobody")) {
            assertThat(c.client.isConnected()).isTrue();
        }
    }

    @Test
    void eventsForConnectSubscribeUnsubscribeDisconnectAndSessionExpiry() throws Exception {
        MqttConnectionOptions o = Paho5.options();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(1L);
        try (Paho5 c = Paho5.connect(broker.uri(), "ev", o)) {
            assertThat(awaitEvent("connected")).isEqualTo("connected ev");
            c.subscribe("t/#", 1);
            assertThat(awaitEvent("subscribed")).isEqualTo("subscribed ev t/# 1");
            c.client.unsubscribe("t/#").waitForCompletion(10_000);
            assertThat(awaitEvent("unsubscribed")).isEqualTo("unsubscribed ev t/#");
        }
        assertThat(awaitEvent("disconnected")).isEqualTo("disconnected ev");
        assertThat(awaitEvent("expired")).isEqualTo("expired ev");
    }

    @Test
    void servicesPublishRetainedInspectAndDisconnect() throws Exception {
        var services = broker.broker().services();
        assertThat(services.publish(Message.of("svc/retained", "kept".getBytes(StandardCharsets.UTF_8), 1, true))).isFalse();
        assertThat(services.retained("svc/#")).singleElement()
                .satisfies(m -> assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("kept"));
        try (Paho5 c = Paho5.connect(broker.uri(), "watcher")) {
            c.subscribe("svc/#", 1);
            Paho5.Received retained = c.next();
            assertThat(retained.payload()).isEqualTo("kept");
            assertThat(retained.message().isRetained()).isTrue();
            assertThat(services.publish(Message.of("svc/live", "now".getBytes(StandardCharsets.UTF_8), 1, false))).isTrue();
            Paho5.Received live = c.next();
            assertThat(live.topic()).isEqualTo("svc/live");
            assertThat(live.message().getQos()).isEqualTo(1);
            assertThat(services.clientIds()).contains("watcher");
            var summary = services.client("watcher").toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(summary.online()).isTrue();
            assertThat(summary.subscriptions()).containsEntry("svc/#", 1);
            assertThat(services.disconnect("watcher", "test")).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> c.disconnected != null);
            assertThat(c.disconnected.getReturnCode()).isEqualTo(0x98);
        }
    }
}
