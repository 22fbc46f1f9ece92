package io.volantmq.it;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the bridge acknowledged it keeps: the site broker runs as its own process on a durable store
 * and is killed with SIGKILL; the remote is a Mosquitto process that is down while the site publishes.
 */
class BridgeDurabilityIT {
    @TempDir
    Path dir;

    @BeforeEach
    void needsMosquitto() {
        RequiredTool.require(MosquittoProcess.installed(), "mosquitto is not installed (apt-get install mosquitto)");
    }

    private List<String> siteSettings(MosquittoProcess remote, int qos) {
        return List.of("-Dvolantmq.persistence=rocksdb",
                "-Dvolantmq.persistence.rocksdb.path=" + dir.resolve("rocksdb"),
                "-Dvolantmq.bridges=cloud",
                "-Dvolantmq.bridge.cloud.address=" + remote.uri(),
                "-Dvolantmq.bridge.cloud.clientId=site1",
                "-Dvolantmq.bridge.cloud.reconnectMin=100",
                "-Dvolantmq.bridge.cloud.reconnectMax=1000",
                "-Dvolantmq.bridge.cloud.topic.1=telemetry/# out " + qos + " site/ cloud/site1/",
                "-Dvolantmq.maxQueuedMessages=100000");
    }

    /** The cloud consumer's persistent session, so Mosquitto queues for it while it is away. */
    private static void registerConsumer(MosquittoProcess remote, int qos) throws Exception {
        MqttClient c = PahoSupport.connect(remote.uri(), "cloud-consumer", false, new PahoSupport.Recorder());
        c.subscribe("cloud/#", qos);
        c.disconnect();
        c.close();
    }

    private static void publish(BrokerProcess site, int count, int qos) throws Exception {
        MqttClient device = PahoSupport.connect(site.uri(), "device", true, new PahoSupport.Recorder());
        for (int i = 0; i < count; i++) {
            device.publish("site/telemetry/n", Integer.toString(i).getBytes(StandardCharsets.UTF_8), qos, false);
        }
        device.disconnect();
        device.close();
    }

    @Test
    void tenThousandQos1SurviveAKillWhileTheRemoteIsDown() throws Exception {
        int count = 10_000;
        try (MosquittoProcess remote = new MosquittoProcess(dir.resolve("mosquitto"), List.of()).start()) {
            registerConsumer(remote, 1);
            remote.stop();
            try (BrokerProcess site = new BrokerProcess(siteSettings(remote, 1), dir.resolve("site.log"))) {
                site.start();
                publish(site, count, 1); // each PUBACK said: kept
                site.kill();             // SIGKILL, nothing flushed on the way out
                site.start();
                remote.start();
                PahoSupport.Recorder atCloud = new PahoSupport.Recorder();
                MqttClient consumer = PahoSupport.connect(remote.uri(), "cloud-consumer", false, atCloud);
                List<Integer> got = new ArrayList<>();
                long distinct = 0;
                while (distinct < count) {
                    PahoSupport.Received r = atCloud.poll(30_000);
                    assertThat(r).as("message %d of %d; site log: %s", distinct, count, site.tail()).isNotNull();
                    assertThat(r.topic()).isEqualTo("cloud/site1/telemetry/n");
                    got.add(Integer.parseInt(r.payload()));
                    if (got.size() % 1000 == 0 || got.size() >= count) {
                        distinct = got.stream().distinct().count();
                    }
                }
                assertThat(BridgeIT.firstOccurrences(got)).isEqualTo(BridgeIT.range(count));
                consumer.disconnect();
                consumer.close();
            }
        }
    }

    @Test
    void qos2HasNoDuplicatesWhenTheSiteIsKilledMidStream() throws Exception {
        int count = 2_000;
        try (MosquittoProcess remote = new MosquittoProcess(dir.resolve("mosquitto"), List.of()).start()) {
            registerConsumer(remote, 2);
            remote.stop();
            try (BrokerProcess site = new BrokerProcess(siteSettings(remote, 2), dir.resolve("site.log"))) {
                site.start();
                publish(site, count, 2);
                remote.start();
                PahoSupport.Recorder atCloud = new PahoSupport.Recorder();
                MqttClient consumer = PahoSupport.connect(remote.uri(), "cloud-consumer", false, atCloud);
                List<Integer> got = new ArrayList<>();
                while (got.size() < 200) {
                    PahoSupport.Received r = atCloud.poll(30_000);
                    assertThat(r).as("site log: %s", site.tail()).isNotNull();
                    got.add(Integer.parseInt(r.payload()));
                }
                site.kill(); // mid-stream: PUBLISHes and PUBRELs in flight towards Mosquitto
                site.start();
                while (got.size() < count) {
                    PahoSupport.Received r = atCloud.poll(30_000);
                    assertThat(r).as("message %d of %d; site log: %s", got.size(), count, site.tail()).isNotNull();
                    got.add(Integer.parseInt(r.payload()));
                }
                assertThat(atCloud.poll(1000)).as("a duplicate").isNull();
                assertThat(got).isEqualTo(BridgeIT.range(count)); // each once, in order
                consumer.disconnect();
                consumer.close();
            }
        }
    }
}
