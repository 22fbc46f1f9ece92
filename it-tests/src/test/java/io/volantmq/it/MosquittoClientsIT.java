package io.volantmq.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Debian's mosquitto_pub / mosquitto_sub against the broker (CI installs mosquitto-clients). */
class MosquittoClientsIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static Process run(String... command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void publish(String topic, String message, int qos, boolean retain) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mosquitto_pub", "-V", "mqttv311", "-h", "127.0.0.1", "-p",
                String.valueOf(broker.port()), "-t", topic, "-m", message, "-q", String.valueOf(qos)));
        if (retain) {
            cmd.add("-r");
        }
        Process p = run(cmd.toArray(String[]::new));
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }

    @Test
    void subscriberReceivesWhatPublisherSendsAtQos1And2() throws Exception {
        // -d prints the SUBACK, so we publish only once the subscription exists; stdbuf keeps the
        // output line-buffered through the pipe; -W bounds the run
        Process sub = run("stdbuf", "-oL", "mosquitto_sub", "-d", "-V", "mqttv311", "-h", "127.0.0.1", "-p",
                String.valueOf(broker.port()), "-t", "mosq/#", "-q", "2", "-C", "3", "-v", "-W", "20");
        BufferedReader out = new BufferedReader(new InputStreamReader(sub.getInputStream(), StandardCharsets.UTF_8));
        try {
            String line;
            do {
                line = out.readLine();
                assertThat(line).as("mosquitto_sub ended before its SUBACK").isNotNull();
            } while (!line.contains("SUBACK"));
            publish("mosq/a", "one", 1, false);
            publish("mosq/b", "two", 2, false);
            publish("mosq/c", "three", 0, false);
            List<String> messages = new ArrayList<>();
            while ((line = out.readLine()) != null) {
                if (line.startsWith("mosq/")) {
                    messages.add(line);
                }
            }
            assertThat(sub.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(messages).containsExactly("mosq/a one", "mosq/b two", "mosq/c three");
        } finally {
            sub.destroyForcibly();
        }
    }

    @Test
    void retainedMessageReachesALaterSubscriber() throws Exception {
        publish("mosq-retained/x", "sticky", 1, true);
        Process sub = run("mosquitto_sub", "-V", "mqttv311", "-h", "127.0.0.1", "-p", String.valueOf(broker.port()),
                "-t", "mosq-retained/x", "-q", "1", "-C", "1", "-W", "10");
        assertThat(sub.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim()).isEqualTo("sticky");
    }
}
