/**
 * Plugins (issue 12): loading from {@code plugins/} with a class loader per plugin, the registry of their
 * hooks, and the guard every call into a plugin goes through (timeouts, failures logged once a minute and
 * counted per plugin). The API itself is the {@code plugin-api} module ({@code io.volantmq.plugin.api}).
 */
package io.volantmq.broker.plugin;
