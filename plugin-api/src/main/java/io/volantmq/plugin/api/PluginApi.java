package io.volantmq.plugin.api;

/** The API version. A plugin built against a newer major version than the broker's is refused at load. */
public final class PluginApi {
    /** Incremented when a type here changes incompatibly; additions keep it. */
    public static final int VERSION = 1;

    /** Manifest attribute: {@code true} enables the plugin without naming it in {@code volantmq.plugins}. */
    public static final String MANIFEST_ENABLED = "VolantMQ-Plugin-Enabled";

    /** Manifest attribute: the API version the plugin was built against (optional). */
    public static final String MANIFEST_API_VERSION = "VolantMQ-Plugin-Api";

    private PluginApi() {
    }
}
