package io.volantmq.plugin.api;

/**
 * A broker extension, found with {@link java.util.ServiceLoader} in its jar (or folder) under
 * {@code plugins/}. The broker calls {@link #start} once before its listeners open, and {@link #stop}
 * once when it closes (also when a later plugin failed to start). Hooks are registered in
 * {@code start} through the context; the broker holds no other reference to the plugin.
 */
public interface Plugin {

    /**
     * The plugin's id: letters, digits, {@code -} and {@code _}; unique among installed plugins. It names the
     * plugin in {@code volantmq.plugins}, its settings ({@code volantmq.plugin.<id>.*}), logs and metrics.
     */
    String id();

    /**
     * Starts the plugin: reads its settings, registers its hooks. Throwing refuses the plugin (the broker
     * starts without it, or not at all when {@code volantmq.plugins.required=true}).
     */
    void start(PluginContext context) throws Exception;

    /** Releases what the plugin holds; its executor and scheduler are shut down by the broker afterwards. */
    default void stop() {
    }
}
