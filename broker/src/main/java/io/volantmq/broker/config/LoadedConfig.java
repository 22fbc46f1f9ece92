package io.volantmq.broker.config;

import io.volantmq.broker.BrokerConfig;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Checked settings: every value set by some source, in canonical form (paths absolute, booleans lower
 * case, choices as declared), with where it came from. Unset keys are absent; their default is the
 * catalogue's.
 */
public final class LoadedConfig {

    /** A checked value and its source. */
    public record Value(String value, Origin origin) {
    }

    private final Map<String, Value> values;
    private final Path file;

    LoadedConfig(Map<String, Value> values, Path file) {
        this.values = Map.copyOf(values);
        this.file = file;
    }

    /** Every set key (without the prefix). */
    public Map<String, Value> values() {
        return values;
    }

    /** The configuration file read, or null. */
    public Path file() {
        return file;
    }

    /** The value set, or the declared default; empty when neither. */
    public Optional<String> get(String key) {
        Value v = values.get(key);
        if (v != null) {
            return Optional.of(v.value());
        }
        return SettingsCatalog.find(key).map(Setting::defaultValue);
    }

    /** A copy with {@code key} set as in {@code other} (or unset when it is not set there). */
    LoadedConfig with(String key, LoadedConfig other) {
        Map<String, Value> m = new LinkedHashMap<>(values);
        Value v = other.values.get(key);
        if (v == null) {
            m.remove(key);
        } else {
            m.put(key, v);
        }
        return new LoadedConfig(m, file);
    }

    /** For the start-up log: where the settings came from, e.g. {@code file /etc/volantmq.conf: 3, environment: 1}. */
    public String sources() {
        Map<Origin.Kind, Integer> counts = new java.util.EnumMap<>(Origin.Kind.class);
        values.values().forEach(v -> counts.merge(v.origin().kind(), 1, Integer::sum));
        StringBuilder b = new StringBuilder();
        counts.forEach((kind, n) -> b.append(b.length() == 0 ? "" : ", ").append(switch (kind) {
            case FILE -> "file " + file;
            case ENVIRONMENT -> "environment";
            case SYSTEM_PROPERTY -> "-D";
            case PROPERTIES -> "properties";
            case DEFAULT -> "defaults";
        }).append(": ").append(n));
        return b.length() == 0 ? "defaults only" : b.toString();
    }

    /** {@code volantmq.}-prefixed properties of every set key. */
    public Properties properties() {
        Properties p = new Properties();
        values.forEach((k, v) -> p.setProperty(SettingsCatalog.PREFIX + k, v.value()));
        return p;
    }

    /** The broker's configuration: the typed settings, and every key for the parts that read them by name. */
    public BrokerConfig brokerConfig() {
        BrokerConfig.Builder b = BrokerConfig.builder();
        if (values.containsKey("listeners")) {
            BrokerConfig.splitListeners(values.get("listeners").value()).forEach(b::listener);
        }
        set("nodeName", b::nodeName);
        setInt("connectTimeout", b::connectTimeoutSeconds);
        setInt("keepAlive", b::keepAliveSeconds);
        setBool("forceKeepAlive", b::forceKeepAlive);
        setInt("maxPacketSize", b::maxPacketSize);
        setInt("maxSessionCount", b::maxSessionCount);
        setBool("offlineQoS0", b::offlineQos0);
        setBool("allowOverlappingSubscriptions", b::allowOverlappingSubscriptions);
        set("duplicateClientId", v -> b.duplicateClientPolicy(BrokerConfig.DuplicateClientPolicy.valueOf(upper(v))));
        setInt("maxInflight", b::maxInflight);
        setInt("maxQueuedMessages", b::maxQueuedMessages);
        set("maxQueuedBytes", v -> b.maxQueuedBytes(Long.parseLong(v)));
        set("queueDropPolicy", v -> b.queueDropPolicy(BrokerConfig.DropPolicy.valueOf(upper(v))));
        setInt("maxKeepAlive", b::maxKeepAliveSeconds);
        setInt("receiveMaximum", b::receiveMaximum);
        setInt("topicAliasMaximum", b::topicAliasMaximum);
        set("responseInformation", b::responseInformation);
        setBool("validatePayloadFormat", b::validatePayloadFormat);
        set("persistence", b::persistence);
        b.persistenceProperties(properties());
        values.forEach((k, v) -> b.setting(k, v.value()));
        return b.build();
    }

    private void set(String key, java.util.function.Consumer<String> setter) {
        Value v = values.get(key);
        if (v != null) {
            setter.accept(v.value());
        }
    }

    private void setInt(String key, java.util.function.IntConsumer setter) {
        set(key, v -> setter.accept(Integer.parseInt(v)));
    }

    private void setBool(String key, java.util.function.Consumer<Boolean> setter) {
        set(key, v -> setter.accept(Boolean.parseBoolean(v)));
    }

    private static String upper(String v) {
        return v.toUpperCase(Locale.ROOT);
    }
}
