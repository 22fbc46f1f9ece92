package io.volantmq.it;

import io.volantmq.broker.admin.Json;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The three-node cluster of dist/docker/docker-compose.cluster.yml, as containers: the broker image built from
 * the distribution tarball (as {@link DockerImageIT} builds it), each node with the environment the compose file
 * gives it (read from that file, so the two cannot drift apart), and Redis from the image CI builds locally
 * (no registry is reachable; the compose file names redis:7). Docker Compose itself is not installed here.
 */
class DockerClusterIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path COMPOSE = ROOT.resolve("dist/docker/docker-compose.cluster.yml");
    private static final String VERSION = Objects.requireNonNull(System.getProperty("volantmq.version"),
            "volantmq.version (set by the it-tests pom)");
    private static final String BASE_IMAGE = System.getProperty("volantmq.test.jreImage", "local/jre17:1");
    private static final String REDIS_IMAGE = System.getProperty("volantmq.test.redisImage", "local/redis:7");
    private static final String TOKEN = "docker-cluster-it";
    private static String image;

    @BeforeAll
    static void buildImage() {
        Path tarball = ROOT.resolve("dist/target/volantmq-" + VERSION + ".tar.gz");
        assertThat(tarball).as("the distribution tarball, built by the dist module before the it-tests").exists();
        image = new ImageFromDockerfile("local/volantmq-cluster-it", true)
                .withFileFromPath("Dockerfile", ROOT.resolve("dist/docker/Dockerfile"))
                .withFileFromPath(tarball.getFileName().toString(), tarball)
                .withBuildArg("BASE_IMAGE", BASE_IMAGE)
                .get();
    }

    /** Each node service of the compose file (n1, n2, ...) with its environment, in the file's order. */
    static Map<String, Map<String, String>> composeNodes(String compose) {
        Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
        Pattern service = Pattern.compile("^  (n\\d+):\\s*$");
        Pattern variable = Pattern.compile("^      ([A-Z_]+): (.+)$");
        Map<String, String> current = null;
        for (String line : compose.split("\\R")) {
            Matcher s = service.matcher(line);
            if (s.matches()) {
                current = new LinkedHashMap<>();
                nodes.put(s.group(1), current);
            } else if (line.startsWith("  ") && !line.startsWith("   ")) {
                current = null; // another service
            } else if (current != null) {
                Matcher v = variable.matcher(line);
                if (v.matches()) {
                    current.put(v.group(1), v.group(2).trim());
                }
            }
        }
        return nodes;
    }

    /** The compose file's {@code ${NAME:?...}} references (what the operator must set) with {@code value}. */
    static Map<String, String> resolved(Map<String, String> env, String value) {
        Map<String, String> result = new LinkedHashMap<>();
        env.forEach((k, v) -> result.put(k, v.matches("\\$\\{\\w+:\\?[^}]*}") ? value : v));
        return result;
    }

    @Test
    void theComposeFilesThreeNodesActAsOneBroker() throws Exception {
        Map<String, Map<String, String>> nodes = composeNodes(Files.readString(COMPOSE));
        assertThat(nodes).containsOnlyKeys("n1", "n2", "n3");
        assertThat(nodes.get("n2")).containsEntry("VOLANTMQ_CLUSTER", "redis")
                .containsEntry("VOLANTMQ_NODE_NAME", "n2").containsKey("VOLANTMQ_CLUSTER_REDIS_URI");

        try (Network network = Network.newNetwork();
             GenericContainer<?> redis = new GenericContainer<>(DockerImageName.parse(REDIS_IMAGE))
                     .withImagePullPolicy(name -> false)
                     .withNetwork(network).withNetworkAliases("redis")
                     // the official image turns protected mode off by itself; Debian's redis-server needs telling
                     .withCommand("redis-server", "--protected-mode", "no", "--appendonly", "yes",
                             "--appendfsync", "always")
                     .withExposedPorts(6379)) {
            redis.start();
            List<GenericContainer<?>> brokers = new ArrayList<>();
            try {
                for (Map<String, String> env : nodes.values()) {
                    GenericContainer<?> broker = new GenericContainer<>(DockerImageName.parse(image))
                            .withImagePullPolicy(name -> false)
                            .withNetwork(network)
                            .withExposedPorts(1883, 8080)
                            .withEnv(resolved(env, TOKEN))
                            .waitingFor(Wait.forHttp("/health").forPort(8080).forStatusCode(200)
                                    .withStartupTimeout(Duration.ofMinutes(3)));
                    brokers.add(broker);
                    broker.start();
                }
                GenericContainer<?> n1 = brokers.get(0);
                GenericContainer<?> n2 = brokers.get(1);
                GenericContainer<?> n3 = brokers.get(2);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> String.valueOf(cluster(n2).get("nodes")).equals("[n1, n2, n3]"));

                PahoSupport.Recorder heard = new PahoSupport.Recorder();
                MqttClient subscriber = PahoSupport.connect(uri(n2), "dc-sub", false, heard);
                subscriber.subscribe("demo/#", 1);
                MqttClient publisher = PahoSupport.connect(uri(n3), "dc-pub", true, new PahoSupport.Recorder());
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
                    publisher.publish("demo/hello", bytes("hi from n3"), 1, false); // until n3 knows n2's route
                    return payloads(heard).contains("hi from n3");
                });
                publisher.publish("demo/retained", bytes("kept for everyone"), 1, true);
                PahoSupport.Recorder late = new PahoSupport.Recorder();
                MqttClient newcomer = PahoSupport.connect(uri(n1), "dc-new", true, late);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
                    newcomer.subscribe("demo/retained", 1); // the retained index reaches n1 in milliseconds
                    return payloads(late).contains("kept for everyone");
                });
                for (MqttClient c : List.of(subscriber, publisher, newcomer)) {
                    c.disconnect();
                    c.close();
                }
            } finally {
                brokers.forEach(GenericContainer::stop);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cluster(GenericContainer<?> node) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://" + node.getHost() + ":" + node.getMappedPort(8080) + "/api/cluster"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return (Map<String, Object>) Json.parse(response.body());
    }

    private static List<String> payloads(PahoSupport.Recorder recorder) {
        return recorder.messages.stream().map(PahoSupport.Received::payload).toList();
    }

    private static String uri(GenericContainer<?> broker) {
        return "tcp://" + broker.getHost() + ":" + broker.getMappedPort(1883);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
