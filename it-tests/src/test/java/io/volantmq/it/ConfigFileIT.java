package io.volantmq.it;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The server's configuration sources through the launcher: a file, environment variables, SIGHUP. */
class ConfigFileIT {
    @TempDir
    Path dir;

    @Test
    void aMisspelledKeyInTheFileStopsTheStartNamingFileLineAndTheClosestKey() throws Exception {
        Path conf = dir.resolve("volantmq.conf");
        Files.write(conf, List.of("# a typo on line 2", "maxInflihgt = 10", "forceKeepAlive = yes"));
        Path log = dir.resolve("broker.log");
        try (BrokerProcess broker = new BrokerProcess(List.of("-Dvolantmq.config=" + conf), log)) {
            assertThat(broker.runToExit()).as(broker.tail()).isEqualTo(2);
        }
        assertThat(Files.readString(log))
                .contains(conf + ":2: unknown setting 'volantmq.maxInflihgt'; did you mean 'volantmq.maxInflight'?")
                .contains(conf + ":3: volantmq.forceKeepAlive must be true or false, got 'yes'")
                .doesNotContain("started");
    }

    @Test
    void anEnvironmentSettingTakesEffectAndSighupReloadsTheFile() throws Exception {
        Path conf = dir.resolve("volantmq.conf");
        Files.write(conf, List.of("withSystree = true", "systreeUpdateInterval = 1", "logLevel = INFO"));
        Path log = dir.resolve("broker.log");
        try (BrokerProcess broker = new BrokerProcess(List.of(), log)
                .env(Map.of("VOLANTMQ_NODE_NAME", "env-node-7", "VOLANTMQ_CONFIG", conf.toString())).start()) {
            PahoSupport.Recorder recorder = new PahoSupport.Recorder();
            MqttClient client = PahoSupport.connect(broker.uri(), "config-it", true, recorder);
            client.subscribe("$SYS/broker/node", 0);
            assertThat(recorder.next().payload()).isEqualTo("env-node-7");
            client.disconnect();
            client.close();

            Files.write(conf, List.of("withSystree = true", "systreeUpdateInterval = 1", "logLevel = DEBUG",
                    "maxInflight = 5"));
            Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(broker.pid())).start();
            assertThat(hup.waitFor()).isZero();
            await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Files.readString(log))
                    .contains("reload: applied: volantmq.logLevel 'INFO' -> 'DEBUG' (" + conf + ":3); needs a restart:"
                            + " volantmq.maxInflight '64' -> '5' (" + conf + ":4); files reloaded: 0"));
            assertThat(broker.alive()).isTrue(); // SIGHUP no longer stops the JVM
        }
    }
}
