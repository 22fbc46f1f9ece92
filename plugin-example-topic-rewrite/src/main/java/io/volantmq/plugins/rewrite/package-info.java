/**
 * Example plugin: an inbound PUBLISH interceptor that rewrites topics by prefix and enriches messages with user
 * properties, without blocking the event loop.
 */
package io.volantmq.plugins.rewrite;
