/**
 * Settings: {@link io.volantmq.broker.config.SettingsCatalog} declares every {@code volantmq.*} key once (type,
 * default, range, whether it is per listener, what it means); {@link io.volantmq.broker.config.ConfigLoader}
 * merges system properties over {@code VOLANTMQ_*} environment variables over the configuration file over
 * defaults, and reports a bad key or value with its origin (file and line) and the closest known key; {@link
 * io.volantmq.broker.config.ConfigReload} applies what may change while running.
 */
package io.volantmq.broker.config;
