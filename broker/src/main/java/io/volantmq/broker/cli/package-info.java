/**
 * The {@code volantmq} command (picocli): {@code run}, {@code passwd}, {@code ctl} (the admin API from a shell),
 * {@code config check} and {@code version}.
 */
package io.volantmq.broker.cli;
