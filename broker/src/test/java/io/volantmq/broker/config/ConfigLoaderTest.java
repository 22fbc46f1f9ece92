package io.volantmq.broker.config;

import io.volantmq.broker.BrokerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path conf = dir.resolve("etc").resolve("volantmq.conf");
        Files.createDirectories(conf.getParent());
        Files.write(conf, List.of(lines));
        return conf;
    }

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    private LoadedConfig load(Path conf, Map<String, String> env, Properties system) {
        return new ConfigLoader(conf, env, system, dir.resolve("work")).load();
    }

    private List<ConfigError> errors(Path conf, Map<String, String> env, Properties system) {
        return new ConfigLoader(conf, env, system, dir.resolve("work")).check();
    }

    @Test
    void systemPropertiesBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws IOException {
        Path conf = file("maxInflight = 10", "nodeName = from-file", "volantmq.keepAlive = 30", "maxQueuedMessages=7");
        LoadedConfig c = load(conf, Map.of("VOLANTMQ_MAX_INFLIGHT", "20", "VOLANTMQ_NODE_NAME", "from-env"),
                props("volantmq.maxInflight", "30", "java.home", "/ignored"));

        BrokerConfig config = c.brokerConfig();
        assertThat(config.maxInflight()).isEqualTo(30);
        assertThat(c.values().get("maxInflight").origin()).hasToString("-Dvolantmq.maxInflight");
        assertThat(config.nodeName()).isEqualTo("from-env");
        assertThat(c.values().get("nodeName").origin()).hasToString("env VOLANTMQ_NODE_NAME");
        assertThat(config.keepAliveSeconds()).isEqualTo(30); // the file, key with its prefix
        assertThat(c.values().get("keepAlive").origin()).hasToString(conf.toAbsolutePath() + ":3");
        assertThat(config.maxQueuedMessages()).isEqualTo(7);
        assertThat(config.connectTimeoutSeconds()).isEqualTo(10); // default
        assertThat(c.get("connectTimeout")).contains("10");
    }

    @Test
    void environmentNamesAreDerivedFromTheKeys() {
        LoadedConfig c = load(null, Map.of(
                "VOLANTMQ_MAX_INFLIGHT", "5",
                "VOLANTMQ_PERSISTENCE_ROCKSDB_PATH", "/var/lib/volantmq",
                "VOLANTMQ_TLS_CERT_FILE", "/etc/volantmq/chain.pem",
                "VOLANTMQ_AUTH_ANONYMOUS_ONLY_WITHOUT_CREDENTIALS", "true",
                "VOLANTMQ_ADMIN_AUTH_FILE_PATH", "/etc/volantmq/admin-passwd",
                "VOLANTMQ_JAVA_OPTS", "-Xmx1g", "VOLANTMQ_NO_BUILD", "1", // the launcher's own
                "PATH", "/usr/bin"), new Properties());

        assertThat(c.properties()).containsEntry("volantmq.maxInflight", "5")
                .containsEntry("volantmq.persistence.rocksdb.path", "/var/lib/volantmq")
                .containsEntry("volantmq.tls.certFile", "/etc/volantmq/chain.pem")
                .containsEntry("volantmq.auth.anonymous.onlyWithoutCredentials", "true")
                .containsEntry("volantmq.admin.auth.file.path", "/etc/volantmq/admin-passwd")
                .hasSize(5);
        assertThat(SettingsCatalog.envName("offlineQoS0")).isEqualTo("VOLANTMQ_OFFLINE_QO_S0");
    }

    @Test
    void anUnknownVolantmqVariableIsAnErrorWithTheClosestName() {
        assertThat(errors(null, Map.of("VOLANTMQ_MAX_INFLIHGT", "5"), new Properties()))
                .singleElement().hasToString("env VOLANTMQ_MAX_INFLIHGT: no setting is named by VOLANTMQ_MAX_INFLIHGT;"
                        + " did you mean VOLANTMQ_MAX_INFLIGHT? (variables the launcher uses: "
                        + SettingsCatalog.LAUNCHER_ENV + ")");
    }

    @Test
    void bridgeKeysAreCheckedAgainstTheBridgeFamily() {
        assertThat(errors(null, Map.of(), props("volantmq.bridge.cloud.address", "tcp://c:1883"))).isEmpty();
        assertThat(errors(null, Map.of(), props("volantmq.bridge.cloud.topic.12", "a/# out 1"))).isEmpty();
        assertThat(errors(null, Map.of(), props("volantmq.bridge.cloud.tls.caFile", "/ca.pem"))).isEmpty();
        assertThat(errors(null, Map.of(), props("volantmq.bridge.cloud.adress", "x"))).singleElement()
                .asString().contains("unknown setting 'volantmq.bridge.cloud.adress': a bridge knows [")
                .contains("address");
        assertThat(errors(null, Map.of(), props("volantmq.bridge.cloud.topic.x", "a/# out 1"))).singleElement()
                .asString().contains("unknown setting 'volantmq.bridge.cloud.topic.x'");
    }

    @Test
    void aMisspelledKeyNamesFileAndLineAndTheClosestKey() throws IOException {
        Path conf = file("# comment", "", "maxInflihgt = 10");
        assertThat(errors(conf, Map.of(), new Properties())).singleElement().hasToString(
                conf.toAbsolutePath() + ":3: unknown setting 'volantmq.maxInflihgt'; did you mean 'volantmq.maxInflight'?");
        assertThat(errors(null, Map.of(), props("volantmq.tls.certFiel", "x"))).singleElement().hasToString(
                "-Dvolantmq.tls.certFiel: unknown setting 'volantmq.tls.certFiel'; did you mean 'volantmq.tls.certFile'?");
        assertThat(errors(null, Map.of(), props("volantmq.admin.auth.fiel.path", "x"))).singleElement()
                .asString().contains("did you mean 'volantmq.admin.auth.file.path'?");
        assertThat(errors(null, Map.of(), props("volantmq.completelyDifferent", "x"))).singleElement()
                .asString().endsWith("unknown setting 'volantmq.completelyDifferent'");
    }

    @Test
    void wrongTypesAndRangesAreRefusedAndEveryErrorIsReportedAtOnce() throws IOException {
        Path conf = file("maxInflight = 0", "forceKeepAlive = yes", "queueDropPolicy = middle",
                "publishRate = fast", "epoll = off", "nodeName = fine", "listeners = tcp://0.0.0.0:1883?maxConections=5");
        ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(
                () -> load(conf, Map.of("VOLANTMQ_KEEP_ALIVE", "-1"), props("volantmq.maxPacketSize", "1e6")));
        String f = conf.toAbsolutePath().toString();
        assertThat(e.errors()).extracting(Object::toString).containsExactly(
                f + ":1: volantmq.maxInflight must be a whole number in 1..65535, got '0'",
                f + ":2: volantmq.forceKeepAlive must be true or false, got 'yes'",
                f + ":3: volantmq.queueDropPolicy must be one of oldest, newest, got 'middle'",
                f + ":4: volantmq.publishRate must be a number >= 0, got 'fast'",
                f + ":5: volantmq.epoll must be true or false, got 'off'",
                f + ":7: listener tcp://0.0.0.0:1883: unknown setting 'maxConections'; did you mean 'maxConnections'?"
                        + " (listener settings: " + SettingsCatalog.ALL.stream().filter(Setting::overridable)
                        .map(Setting::key).toList() + ")",
                "env VOLANTMQ_KEEP_ALIVE: volantmq.keepAlive must be a whole number in 0..65535, got '-1'",
                "-Dvolantmq.maxPacketSize: volantmq.maxPacketSize must be a whole number in 16..268435460, got '1e6'");
        assertThat(e.getMessage()).startsWith("8 configuration errors:\n  " + f + ":1: ");
    }

    @Test
    void listenerQueryValuesAreCheckedToo() {
        assertThat(errors(null, Map.of(), props("volantmq.listeners",
                "ssl://h:1?tls.clientAuth=maybe&tls.keyPassword=x,tcp://h:2?proxy=perhaps")))
                .extracting(Object::toString).containsExactly(
                        "-Dvolantmq.listeners: listener ssl://h:1: ?tls.clientAuth must be one of none, optional,"
                                + " required, got 'maybe'",
                        "-Dvolantmq.listeners: listener tcp://h:2: ?proxy must be true or false, got 'perhaps'");
        assertThat(errors(null, Map.of(), props("volantmq.persistence.redis.uri", " "))).isEmpty(); // blank: unset
    }

    @Test
    void relativePathsResolveAgainstTheFilesFolderOrTheWorkingDirectory() throws IOException {
        Path conf = file("acl.file = acl", "auth.file.path = ../secrets/passwd", "tls.keyFile = /abs/key.pem");
        LoadedConfig c = load(conf, Map.of("VOLANTMQ_TLS_CERT_FILE", "certs/chain.pem"),
                props("volantmq.persistence.rocksdb.path", "data/rocks"));
        assertThat(c.properties())
                .containsEntry("volantmq.acl.file", dir.resolve("etc/acl").toString())
                .containsEntry("volantmq.auth.file.path", dir.resolve("secrets/passwd").toString())
                .containsEntry("volantmq.tls.keyFile", "/abs/key.pem")
                .containsEntry("volantmq.tls.certFile", dir.resolve("work/certs/chain.pem").toString())
                .containsEntry("volantmq.persistence.rocksdb.path", dir.resolve("work/data/rocks").toString());
        assertThat(c.brokerConfig().settings()).containsEntry("acl.file", dir.resolve("etc/acl").toString());
        assertThat(c.brokerConfig().persistenceProperties())
                .containsEntry("volantmq.persistence.rocksdb.path", dir.resolve("work/data/rocks").toString());
    }

    @Test
    void relativePathsInAListenersQueryResolveToo() throws IOException {
        Path conf = file("listeners = ssl://127.0.0.1:0?tls.certFile=certs/my+chain%20x.pem&tls.clientAuth=none,"
                + " tcp://127.0.0.1:0");
        BrokerConfig config = load(conf, Map.of(), new Properties()).brokerConfig();
        assertThat(config.listeners()).hasSize(2);
        String cert = io.volantmq.broker.transport.ListenerSpec.query(config.listeners().get(0)).get("tls.certFile");
        assertThat(cert).isEqualTo(dir.resolve("etc/certs/my+chain x.pem").toString());
        assertThat(config.listeners().get(0).getRawQuery()).endsWith("&tls.clientAuth=none");
    }

    @Test
    void theServerFindsItsFileThroughArgumentsPropertyOrEnvironment() throws IOException {
        Path conf = file("nodeName = n1");
        Properties none = new Properties();
        Map<String, String> cwd = Map.of(ConfigLoader.WORK_DIR_ENV, dir.toString());
        assertThat(ConfigLoader.forServer(new String[] {"--config", "etc/volantmq.conf"}, cwd, none).file())
                .isEqualTo(conf);
        assertThat(ConfigLoader.forServer(new String[0], cwd, props("volantmq.config", conf.toString())).file())
                .isEqualTo(conf);
        assertThat(ConfigLoader.forServer(new String[0], Map.of("VOLANTMQ_CONFIG", "etc/volantmq.conf",
                ConfigLoader.WORK_DIR_ENV, dir.toString()), none).load().brokerConfig().nodeName()).isEqualTo("n1");
        assertThat(ConfigLoader.forServer(new String[0], cwd, none).file()).isNull();
    }

    @Test
    void theFileIsCheckedForItsOwnShape() throws IOException {
        Path conf = file("nodeName = a", "just words", "nodeName = b", "config = other.conf",
                "listeners = tcp://127.0.0.1:1883, \\", "   tcp://127.0.0.1:1884");
        String f = conf.toAbsolutePath().toString();
        assertThat(errors(conf, Map.of(), new Properties())).extracting(Object::toString).containsExactly(
                f + ":2: expected 'key = value', got 'just words'",
                f + ":3: volantmq.nodeName is already set on line 1",
                f + ":4: a configuration file cannot name another one");
        assertThat(errors(dir.resolve("missing.conf"), Map.of(), new Properties())).singleElement().asString()
                .isEqualTo(dir.resolve("missing.conf") + ": cannot read the configuration file (java.nio.file.NoSuchFileException: "
                        + dir.resolve("missing.conf") + ")");
    }

    @Test
    void aBlankValueUnsetsWhatALowerSourceSet() throws IOException {
        Path conf = file("acl.file = acl", "listeners = tcp://127.0.0.1:1883, \\", "  tcp://127.0.0.1:1884");
        LoadedConfig c = load(conf, Map.of(), props("volantmq.acl.file", ""));
        assertThat(c.values()).doesNotContainKey("acl.file");
        assertThat(c.brokerConfig().listeners()).hasSize(2);
    }

    @Test
    void backendsAndAuthFamiliesAreChecked() {
        assertThat(errors(null, Map.of(), props("volantmq.persistence", "rocksdb"))).isEmpty();
        assertThat(errors(null, Map.of(), props("volantmq.persistence", "rocksbd"))).singleElement().asString()
                .contains("no backend 'rocksbd' on the class path; available: [").contains("did you mean 'rocksdb'?");
        assertThat(errors(null, Map.of(), props("volantmq.persistence.rocksdb.fsnyc", "true"))).singleElement()
                .asString().contains("did you mean 'volantmq.persistence.rocksdb.fsync'?");
        assertThat(errors(null, Map.of(), props("volantmq.auth.nosuch.key", "x"))).singleElement()
                .asString().contains("unknown setting 'volantmq.auth.nosuch.key'");
    }

    /** volantmq.plugin.<id>.<key> is the plugin's own (issue 12); the loader lets it through, a bare prefix not. */
    @Test
    void pluginSettingsAreAFamilyTheirPluginsCheck() {
        assertThat(errors(null, Map.of(), props("volantmq.plugin.http-auth.url", "http://x/auth",
                "volantmq.plugins", "http-auth", "volantmq.plugins.timeoutMillis", "500"))).isEmpty();
        assertThat(errors(null, Map.of(), props("volantmq.plugin.http-auth", "x"))).singleElement().asString()
                .contains("unknown setting 'volantmq.plugin.http-auth'");
        assertThat(errors(null, Map.of(), props("volantmq.plugins.failureAction", "maybe"))).singleElement().asString()
                .contains("volantmq.plugins.failureAction");
    }

    @Test
    void embeddersPropertiesAreCheckedTheSameWay() {
        assertThatThrownBy(() -> BrokerConfig.fromProperties(props("volantmq.maxInflihgt", "3", "user.home", "/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("property volantmq.maxInflihgt: unknown setting 'volantmq.maxInflihgt'; did you mean"
                        + " 'volantmq.maxInflight'?");
        assertThat(BrokerConfig.fromProperties(props("volantmq.offlineQoS0", "TRUE")).offlineQos0()).isTrue();
    }
}
