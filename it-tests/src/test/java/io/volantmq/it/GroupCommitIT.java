package io.volantmq.it;

import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sync mode with group commit on a real RocksDB store (its default): QoS 1 and QoS 2 publishers
 * get every acknowledgement, a persistent subscriber gets every message once per QoS rules, and
 * the store's sync counters show syncs shared by several acknowledgements' worth of requests.
 * That an acknowledged message survives {@code kill -9} is DurableRestartIT's part.
 */
class GroupCommitIT {
    @TempDir
    Path dir;

    @Test
    void acknowledgementsWaitForSharedSyncsAndNothingIsLost() throws Exception {
        Properties store = new Properties();
        store.setProperty("volantmq.persistence.rocksdb.path", dir.resolve("rocksdb").toString());
        try (BrokerFixture broker = BrokerFixture.start(b -> b.persistence("rocksdb").persistenceProperties(store))) {
            assertThat(broker.broker().context().groupCommit()).as("rocksdb defaults to commit=group").isNotNull();
            PahoSupport.Recorder received = new PahoSupport.Recorder();
            MqttClient subscriber = PahoSupport.connect(broker.uri(), "gc-sub", false, received);
            subscriber.subscribe("gc/#", 2);

            MqttAsyncClient publisher = new MqttAsyncClient(broker.uri(), "gc-pub", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMaxInflight(1000);
            publisher.connect(options).waitForCompletion(10_000);
            int perQos = 300;
            List<IMqttDeliveryToken> tokens = new ArrayList<>();
            for (int i = 0; i < perQos; i++) {
                for (int qos = 1; qos <= 2; qos++) {
                    byte[] payload = ("q" + qos + "-" + i).getBytes(StandardCharsets.UTF_8);
                    tokens.add(publisher.publish("gc/" + qos, payload, qos, false));
                }
            }
            for (IMqttDeliveryToken token : tokens) {
                token.waitForCompletion(30_000); // PUBACK / PUBCOMP: durable by then
            }

            Set<String> payloads = new HashSet<>();
            for (int i = 0; i < 2 * perQos; i++) {
                payloads.add(new String(received.next().message().getPayload(), StandardCharsets.UTF_8));
            }
            assertThat(payloads).hasSize(2 * perQos);
            publisher.disconnect().waitForCompletion(10_000);
            publisher.close();
            subscriber.disconnect();
            subscriber.close();

            MeterRegistry registry = broker.broker().metrics().registry();
            double syncs = registry.get("volantmq.store.syncs").functionCounter().count();
            double waiters = registry.get("volantmq.store.sync.waiters").functionCounter().count();
            assertThat(syncs).isPositive();
            assertThat(waiters).isGreaterThanOrEqualTo(syncs);
        }
    }
}
