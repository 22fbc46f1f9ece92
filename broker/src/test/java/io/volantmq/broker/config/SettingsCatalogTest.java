package io.volantmq.broker.config;

import io.volantmq.broker.BrokerConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class SettingsCatalogTest {

    @Test
    void everyKeyHasItsOwnEnvironmentVariable() {
        Map<String, String> seen = new HashMap<>();
        for (Setting s : SettingsCatalog.ALL) {
            assertThat(seen.put(s.envName(), s.key())).as(s.envName()).isNull();
        }
        assertThat(SettingsCatalog.envName("maxInflight")).isEqualTo("VOLANTMQ_MAX_INFLIGHT");
        assertThat(SettingsCatalog.envName("persistence.rocksdb.path")).isEqualTo("VOLANTMQ_PERSISTENCE_ROCKSDB_PATH");
        assertThat(SettingsCatalog.envName("tls.certFile")).isEqualTo("VOLANTMQ_TLS_CERT_FILE");
        assertThat(seen).doesNotContainKeys(SettingsCatalog.LAUNCHER_ENV.toArray(String[]::new));
    }

    @Test
    void everyDefaultIsAValidValueOfItsSetting() {
        for (Setting s : SettingsCatalog.ALL) {
            if (s.defaultValue() != null) {
                assertThat(s.normalize(s.defaultValue(), null)).as(s.key()).isNotNull();
            }
            assertThat(s.doc()).as(s.key()).isNotBlank();
        }
    }

    /** The builder keeps its own defaults for embedders; they must be the declared ones. */
    @Test
    void theBuildersDefaultsAreTheDeclaredOnes() {
        BrokerConfig d = BrokerConfig.builder().build();
        Map<String, Object> actual = new HashMap<>();
        actual.put("listeners", String.join(",", d.listeners().stream().map(Object::toString).toList()));
        actual.put("nodeName", d.nodeName());
        actual.put("connectTimeout", d.connectTimeoutSeconds());
        actual.put("keepAlive", d.keepAliveSeconds());
        actual.put("forceKeepAlive", d.forceKeepAlive());
        actual.put("maxPacketSize", d.maxPacketSize());
        actual.put("maxSessionCount", d.maxSessionCount());
        actual.put("offlineQoS0", d.offlineQos0());
        actual.put("allowOverlappingSubscriptions", d.allowOverlappingSubscriptions());
        actual.put("duplicateClientId", d.duplicateClientPolicy().name().toLowerCase());
        actual.put("maxInflight", d.maxInflight());
        actual.put("maxQueuedMessages", d.maxQueuedMessages());
        actual.put("maxQueuedBytes", d.maxQueuedBytes());
        actual.put("queueDropPolicy", d.queueDropPolicy().name().toLowerCase());
        actual.put("maxKeepAlive", d.maxKeepAliveSeconds());
        actual.put("receiveMaximum", d.receiveMaximum());
        actual.put("topicAliasMaximum", d.topicAliasMaximum());
        actual.put("responseInformation", d.responseInformation());
        actual.put("validatePayloadFormat", d.validatePayloadFormat());
        actual.put("persistence", d.persistence());
        actual.forEach((key, value) -> assertThat(SettingsCatalog.find(key).orElseThrow().defaultValue()).as(key)
                .isEqualTo(value == null ? null : value.toString()));
    }

    /** A setting declared live needs code in ConfigReload that applies it; else it would only be claimed. */
    @Test
    void everyLiveSettingIsAppliedByAReload() {
        assertThat(SettingsCatalog.ALL.stream().filter(Setting::reloadable).map(Setting::key).toList())
                .containsExactlyInAnyOrderElementsOf(ConfigReload.APPLIED_LIVE);
    }

    @Test
    void closestKeySuggestsTyposOnly() {
        List<String> keys = SettingsCatalog.keys();
        assertThat(SettingsCatalog.closest("maxinflight", keys)).contains("maxInflight");
        assertThat(SettingsCatalog.closest("tls.certfil", keys)).contains("tls.certFile");
        assertThat(SettingsCatalog.closest("keepAlvie", keys)).contains("keepAlive");
        assertThat(SettingsCatalog.closest("somethingElse", keys)).isEmpty();
    }

    /**
     * Every key the broker's code reads by name is declared: settings read through {@code Settings}
     * accessors, the settings map, or the persistence properties. A key added to the code without a
     * declaration fails here, naming the file.
     */
    @Test
    void everyKeyTheCodeReadsIsDeclared() throws IOException {
        // typed accessors are Settings' own names, whatever the receiver; get/string/getOrDefault only on
        // receivers that hold settings (other maps use them too)
        Pattern typed = Pattern.compile("\\.\\s*(?:integer|bool|choice|longValue|decimal)\\(\\s*\"([^\"]+)\"");
        Pattern accessor = Pattern.compile("\\b(?:settings\\(\\)|settings|s|global|listenerSettings"
                + "|Settings\\.global\\((?:[^()]|\\([^()]*\\))*\\))\\s*\\.\\s*"
                + "(?:string|get|getOrDefault)\\(\\s*\"([^\"]+)\"");
        Pattern property = Pattern.compile("getProperty\\(\\s*\"volantmq\\.([^\"]+)\"");
        TreeSet<String> read = new TreeSet<>();
        TreeSet<String> undeclared = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String code = Files.readString(file);
                for (Pattern p : List.of(typed, accessor, property)) {
                    Matcher m = p.matcher(code);
                    while (m.find()) {
                        read.add(m.group(1));
                        if (SettingsCatalog.find(m.group(1)).isEmpty()) {
                            undeclared.add(m.group(1) + " (" + file.getFileName() + ")");
                        }
                    }
                }
            }
        }
        assertThat(read).as("the scan finds the code's settings").contains("maxConnections", "tls.certFile",
                "acl.file", "withSystree", "sharedAckTimeout", "persistence.buffer", "adminToken", "serverMoved");
        assertThat(undeclared).as("keys read in broker/src/main but not declared in SettingsCatalog").isEmpty();
    }

    /**
     * The code still passes a default where it reads a setting; where that default is a literal it must be
     * the catalogue's, so a default is decided in one place (the loader fills in the catalogue's anyway).
     */
    @Test
    void literalDefaultsInTheCodeAreTheCatalogues() throws IOException {
        Pattern numeric = Pattern.compile("\\.\\s*(?:integer|longValue)\\(\\s*\"([^\"]+)\",\\s*([0-9_L* ]+),");
        Pattern bool = Pattern.compile("\\.\\s*bool\\(\\s*\"([^\"]+)\",\\s*(true|false)\\s*\\)");
        Pattern choice = Pattern.compile("\\.\\s*choice\\(\\s*\"([^\"]+)\",\\s*\"([^\"]*)\"");
        List<String> differing = new java.util.ArrayList<>();
        int compared = 0;
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String code = Files.readString(file);
                for (Pattern p : List.of(numeric, bool, choice)) {
                    Matcher m = p.matcher(code);
                    while (m.find()) {
                        Setting setting = SettingsCatalog.find(m.group(1)).orElse(null);
                        if (setting == null || setting.defaultValue() == null) {
                            continue; // undeclared keys fail the test above
                        }
                        String inCode = p == numeric ? String.valueOf(product(m.group(2))) : m.group(2);
                        compared++;
                        if (!inCode.equalsIgnoreCase(setting.defaultValue())) {
                            differing.add(m.group(1) + ": " + inCode + " in " + file.getFileName()
                                    + ", catalogue " + setting.defaultValue());
                        }
                    }
                }
            }
        }
        assertThat(compared).as("literal defaults found").isGreaterThan(20);
        assertThat(differing).as("defaults written in the code that differ from SettingsCatalog").isEmpty();
    }

    private static long product(String expression) {
        long value = 1;
        for (String factor : expression.split("\\*")) {
            value *= Long.parseLong(factor.replace("_", "").replace("L", "").trim());
        }
        return value;
    }
}
