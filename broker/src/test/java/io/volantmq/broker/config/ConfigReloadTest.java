package io.volantmq.broker.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.volantmq.broker.Broker;
import io.volantmq.broker.auth.ClientIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** A reload of a running broker, through its real parts: the ACL file, logback, the admin endpoint. */
class ConfigReloadTest {
    private static final ClientIdentity CLIENT = new ClientIdentity("c1", null, "tcp://127.0.0.1:0", null);

    @TempDir
    Path dir;
    private Broker broker;
    private final ch.qos.logback.classic.Logger root =
            ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
    private final Level rootBefore = root.getLevel();

    @AfterEach
    void tearDown() {
        if (broker != null) {
            broker.close();
        }
        root.setLevel(rootBefore);
    }

    private Path conf;

    private void writeConf(String... extra) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "listeners = tcp://127.0.0.1:0",
                "acl.file = acl", // relative: next to the file
                "reloadIntervalMillis = 0", // never polled: only a reload reads the files again
                "withSystree = false",
                "adminAddr = 127.0.0.1:0",
                "adminToken = t0ken",
                "persistence = memory"));
        lines.addAll(List.of(extra));
        Files.write(conf, lines);
    }

    private void start(String... extra) throws IOException {
        conf = dir.resolve("volantmq.conf");
        Files.writeString(dir.resolve("acl"), "topic readwrite a/#\n");
        writeConf(extra);
        ConfigLoader loader = new ConfigLoader(conf, Map.of(), new Properties(), Path.of("."));
        LoadedConfig loaded = loader.load();
        ConfigReload reload = new ConfigReload(loader, loaded);
        reload.applyAtStart();
        broker = Broker.builder().config(loaded.brokerConfig()).configReload(reload).build().start();
    }

    @Test
    void aReloadReadsAChangedAclFileAtOnce() throws IOException {
        start();
        assertThat(broker.context().acl().mayPublish(CLIENT, "a/1")).isTrue();
        assertThat(broker.context().acl().mayPublish(CLIENT, "b/1")).isFalse();

        assertThat(broker.reload().filesReloaded()).isZero();
        Path acl = dir.resolve("acl");
        Files.writeString(acl, "topic readwrite b/#\n");
        Files.setLastModifiedTime(acl, FileTime.from(Instant.now().plusSeconds(5))); // coarse clocks
        ReloadReport report = broker.reload();

        assertThat(report.filesReloaded()).isEqualTo(1);
        assertThat(report.errors()).isEmpty();
        assertThat(broker.context().acl().mayPublish(CLIENT, "b/1")).isTrue();
        assertThat(broker.context().acl().mayPublish(CLIENT, "a/1")).isFalse();
    }

    @Test
    void theLogLevelChangesLiveAndOtherChangesAreReportedAsNeedingARestart() throws IOException {
        start("logLevel = WARN", "maxInflight = 64");
        assertThat(root.getLevel()).isEqualTo(Level.WARN);

        writeConf("logLevel = debug", "maxInflight = 32");
        ReloadReport report = broker.reload();

        assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
        assertThat(report.applied()).containsExactly("volantmq.logLevel 'WARN' -> 'DEBUG' (" + conf.toAbsolutePath()
                + ":8)");
        assertThat(report.needsRestart()).containsExactly("volantmq.maxInflight '64' -> '32' (" + conf.toAbsolutePath()
                + ":9)");
        assertThat(broker.config().maxInflight()).isEqualTo(64);

        // the restart-only change stays reported until a restart; the live one is in force now
        ReloadReport again = broker.reload();
        assertThat(again.applied()).isEmpty();
        assertThat(again.needsRestart()).hasSize(1);

        writeConf("maxInflight = 64"); // logLevel removed: back to the default
        assertThat(broker.reload().applied()).containsExactly("volantmq.logLevel 'DEBUG' -> 'INFO'");
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
    }

    @Test
    void aBadFileChangesNothingAndSaysWhy() throws IOException {
        start("logLevel = WARN");
        writeConf("logLevel = DEBUG", "maxInflihgt = 3");
        ReloadReport report = broker.reload();
        assertThat(report.errors()).containsExactly(conf.toAbsolutePath()
                + ":9: unknown setting 'volantmq.maxInflihgt'; did you mean 'volantmq.maxInflight'?");
        assertThat(report.applied()).isEmpty();
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void theAdminApiReloads() throws Exception {
        start("logLevel = WARN");
        writeConf("logLevel = ERROR");
        InetSocketAddress admin = broker.adminAddress();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort()
                        + "/api/reload")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));

        HttpResponse<String> refused = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);

        HttpResponse<String> ok = http.send(post.header("Authorization", "Bearer t0ken").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"ok\":true", "volantmq.logLevel 'WARN' -> 'ERROR'", "\"filesReloaded\":0");
        assertThat(root.getLevel()).isEqualTo(Level.ERROR);

        writeConf("logLevel = LOUD");
        HttpResponse<String> bad = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(bad.body()).contains("\"ok\":false", "volantmq.logLevel must be one of");
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort()
                + "/api/reload")).header("Authorization", "Bearer t0ken").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
    }
}
