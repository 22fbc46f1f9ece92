/**
 * The VolantMQ plugin API, version {@value io.volantmq.plugin.api.PluginApi#VERSION}: everything a broker
 * extension compiles against. A plugin implements {@link io.volantmq.plugin.api.Plugin}, is listed in
 * {@code META-INF/services/io.volantmq.plugin.api.Plugin} and registers its hooks on the
 * {@link io.volantmq.plugin.api.PluginContext} it is started with. Types here are records and interfaces
 * only; none of them exposes a broker class.
 */
package io.volantmq.plugin.api;
