package io.volantmq.persistence;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The settings of one backend: the {@code volantmq.persistence.<name>.<key>} properties, with the
 * prefix removed, so a backend asks for {@code path} rather than its full property name.
 */
public final class ProviderConfig {
    private final String providerName;
    private final Map<String, String> values;

    public ProviderConfig(String providerName, Map<String, String> values) {
        this.providerName = providerName;
        this.values = Map.copyOf(values);
    }

    /** Collects {@code volantmq.persistence.<providerName>.*} from the given properties. */
    public static ProviderConfig fromProperties(String providerName, Properties properties) {
        String prefix = "volantmq.persistence." + providerName + ".";
        Map<String, String> values = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                values.put(key.substring(prefix.length()), properties.getProperty(key));
            }
        }
        return new ProviderConfig(providerName, values);
    }

    public String providerName() {
        return providerName;
    }

    public Map<String, String> values() {
        return values;
    }

    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    public int getInt(String key, int defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new PersistenceException(propertyName(key) + " must be an integer, got '" + value + "'");
        }
    }

    /** A positive integer; {@code defaultValue} when the key is absent. */
    public int getPositiveInt(String key, int defaultValue) {
        int value = getInt(key, defaultValue);
        if (value <= 0) {
            throw new PersistenceException(propertyName(key) + " must be positive, got " + value);
        }
        return value;
    }

    /** {@code true} or {@code false}, any case; {@code defaultValue} when the key is absent. */
    public boolean getBoolean(String key, boolean defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new PersistenceException(propertyName(key) + " must be true or false, got '" + value + "'");
        };
    }

    /**
     * The {@code commit} setting every durable backend understands: {@code group} (default) makes
     * changes durable in groups through {@link Store#sync()}; {@code each} syncs every change
     * before its call returns.
     */
    public boolean groupCommit() {
        String value = values.getOrDefault("commit", "group").trim();
        if (value.equalsIgnoreCase("group")) {
            return true;
        }
        if (value.equalsIgnoreCase("each")) {
            return false;
        }
        throw new PersistenceException(propertyName("commit") + " must be 'group' or 'each', got '" + value + "'");
    }

    public Path getPath(String key, Path defaultValue) {
        String value = values.get(key);
        return value == null ? defaultValue : Path.of(value);
    }

    /** The full system property name of a key, for error messages. */
    public String propertyName(String key) {
        return "volantmq.persistence." + providerName + "." + key;
    }
}
