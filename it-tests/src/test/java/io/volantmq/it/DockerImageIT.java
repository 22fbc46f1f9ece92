package io.volantmq.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Volume;
import io.volantmq.broker.admin.Json;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.DockerImageName;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker image as an operator builds it: dist/docker/Dockerfile over the distribution tarball
 * ({@code mvn package} made it before the it-tests run), on the base image CI builds locally
 * ({@code .ci/testcontainers-setup.sh}: no registry is reachable). Paho clients talk to it through the
 * published port; the RocksDB store lives in a named volume that outlives the container.
 */
class DockerImageIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String VERSION = Objects.requireNonNull(System.getProperty("volantmq.version"),
            "volantmq.version (set by the it-tests pom)");
    private static final String BASE_IMAGE = System.getProperty("volantmq.test.jreImage", "local/jre17:1");
    private static String image;

    @BeforeAll
    static void buildImage() throws Exception {
        Path tarball = ROOT.resolve("dist/target/volantmq-" + VERSION + ".tar.gz");
        assertThat(tarball).as("the distribution tarball, built by the dist module before the it-tests").exists();
        image = new ImageFromDockerfile("local/volantmq-it", true)
                .withFileFromPath("Dockerfile", ROOT.resolve("dist/docker/Dockerfile"))
                .withFileFromPath(tarball.getFileName().toString(), tarball)
                .withBuildArg("BASE_IMAGE", BASE_IMAGE)
                .get();
    }

    private static GenericContainer<?> broker(String volume) {
        return new GenericContainer<>(DockerImageName.parse(image))
                .withImagePullPolicy(name -> false)
                .withExposedPorts(1883, 8080)
                .withEnv("VOLANTMQ_PERSISTENCE", "rocksdb")
                .withEnv("VOLANTMQ_LOG_FORMAT", "json")
                .withEnv("JAVA_OPTS", "-Xmx256m -Dvolantmq.withSystree=false")
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withBinds(new Bind(volume, new Volume("/data"))))
                .waitingFor(Wait.forHttp("/health").forPort(8080).forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(3)));
    }

    private static String uri(GenericContainer<?> broker) {
        return "tcp://" + broker.getHost() + ":" + broker.getMappedPort(1883);
    }

    @Test
    void theImageIsConfiguredForOperators() {
        ContainerConfig config = DockerClientFactory.instance().client().inspectImageCmd(image).exec().getConfig();
        assertThat(config.getUser()).isEqualTo("10001:10001");
        assertThat(config.getVolumes()).containsOnlyKeys("/data", "/conf");
        assertThat(Arrays.stream(config.getExposedPorts()).map(ExposedPort::getPort))
                .containsExactlyInAnyOrder(1883, 8883, 8080, 8081);
        assertThat(config.getHealthcheck().getTest()).containsSequence("ctl", "health");
        assertThat(config.getEntrypoint()).containsExactly("/opt/volantmq/bin/volantmq");
    }

    @Test
    void pubSubAndMessagesThatSurviveTheContainerInItsVolume() throws Exception {
        DockerClient docker = DockerClientFactory.instance().client();
        String volume = "volantmq-it-" + UUID.randomUUID();
        docker.createVolumeCmd().withName(volume).withLabels(Map.of("org.testcontainers", "true")).exec();
        try {
            try (GenericContainer<?> first = broker(volume)) {
                first.start();
                ExecResult id = first.execInContainer("id", "-u");
                assertThat(id.getStdout().trim()).as("not root").isEqualTo("10001");
                ExecResult health = first.execInContainer("/opt/volantmq/bin/volantmq", "ctl", "health");
                assertThat(health.getExitCode()).as(health.getStderr()).isZero();
                assertThat(health.getStdout()).contains("\"ready\":true");

                PahoSupport.Recorder away = new PahoSupport.Recorder();
                MqttClient subscriber = PahoSupport.connect(uri(first), "docker-sub", false, away);
                subscriber.subscribe("docker/q", 1);
                MqttClient publisher = PahoSupport.connect(uri(first), "docker-pub", true, new PahoSupport.Recorder());
                publisher.publish("docker/q", bytes("live"), 1, false);
                assertThat(away.next().payload()).isEqualTo("live");
                subscriber.disconnect();
                subscriber.close();
                publisher.publish("docker/q", bytes("queued while away"), 1, false);
                publisher.publish("docker/retained", bytes("kept in /data"), 1, true);
                publisher.disconnect();
                publisher.close();

                // docker stop: SIGTERM reaches the JVM (bin/volantmq execs it), which closes the store
                docker.stopContainerCmd(first.getContainerId()).withTimeout(60).exec();
                String logs = first.getLogs();
                assertThat(logs.lines().filter(l -> l.startsWith("{")).map(DockerImageIT::message))
                        .as("JSON log lines (VOLANTMQ_LOG_FORMAT=json)")
                        .contains("persistence: 'rocksdb'", "VolantMQ node 'volantmq' started",
                                "VolantMQ node 'volantmq' stopped");
            }
            try (GenericContainer<?> second = broker(volume)) {
                second.start();
                PahoSupport.Recorder back = new PahoSupport.Recorder();
                MqttClient subscriber = PahoSupport.connect(uri(second), "docker-sub", false, back);
                PahoSupport.Received first = back.next();
                if (first.payload().equals("live") && first.message().isDuplicate()) {
                    // QoS 1 is at least once: Paho acknowledges after its callback returns, so its PUBACK
                    // may not have left before the DISCONNECT; the broker then sends "live" again, marked DUP
                    first = back.next();
                }
                assertThat(first.payload()).isEqualTo("queued while away");

                PahoSupport.Recorder fresh = new PahoSupport.Recorder();
                MqttClient newcomer = PahoSupport.connect(uri(second), "docker-new", true, fresh);
                newcomer.subscribe("docker/retained", 1);
                PahoSupport.Received retained = fresh.next();
                assertThat(retained.payload()).isEqualTo("kept in /data");
                assertThat(retained.message().isRetained()).isTrue();
                for (MqttClient c : new MqttClient[] {subscriber, newcomer}) {
                    c.disconnect();
                    c.close();
                }
                await().untilAsserted(() -> assertThat(second.getLogs()).contains("\"level\":\"INFO\""));
            }
        } finally {
            docker.removeVolumeCmd(volume).exec();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The formatted message of one line of logback's JsonEncoder. */
    private static String message(String line) {
        Object parsed = Json.parse(line);
        assertThat(parsed).as(line).isInstanceOf(Map.class);
        return String.valueOf(((Map<?, ?>) parsed).get("formattedMessage"));
    }
}
