package io.volantmq.broker.plugin;

import io.volantmq.broker.auth.Settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plugin settings, read once at start.
 *
 * @param enabled       ids from {@code volantmq.plugins}, in load order
 * @param required      whether a plugin that fails to load or start stops the broker
 * @param dir           the folder scanned for plugin jars and folders
 * @param timeoutMillis how long a blocking hook may take
 * @param refuseOnFailure what a hook that throws or times out means: refuse (true) or continue (false)
 * @param threads       threads of each plugin's executor
 * @param queue         tasks waiting in each plugin's executor
 */
public record PluginSettings(List<String> enabled, boolean required, String dir, long timeoutMillis,
                             boolean refuseOnFailure, int threads, int queue) {

    public static final String SETTINGS_PREFIX = "plugin.";

    public static PluginSettings from(Map<String, String> settings) {
        Settings s = Settings.global(settings);
        List<String> ids = io.volantmq.broker.auth.AuthProviders.names(s.string("plugins", ""));
        return new PluginSettings(List.copyOf(ids), s.bool("plugins.required", false), s.string("pluginsDir", "plugins"),
                s.longValue("plugins.timeoutMillis", 2000, 1, 600_000),
                s.choice("plugins.failureAction", "continue", "continue", "refuse").equals("refuse"),
                s.integer("plugins.threads", 4, 1, 256), s.integer("plugins.queue", 10_000, 1, 10_000_000));
    }

    /** {@code volantmq.plugin.<id>.<key>} as {@code <key>}; the map has no prefix, as {@code BrokerConfig.settings()}. */
    public static Map<String, String> of(String id, Map<String, String> settings) {
        String prefix = SETTINGS_PREFIX + id + ".";
        Map<String, String> mine = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                mine.put(k.substring(prefix.length()), v);
            }
        });
        return Map.copyOf(mine);
    }
}
