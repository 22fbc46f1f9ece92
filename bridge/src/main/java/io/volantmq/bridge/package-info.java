/**
 * Bridges to other MQTT brokers: {@link io.volantmq.bridge.BridgeModule} starts one {@link io.volantmq.bridge.Bridge}
 * per name in {@code volantmq.bridges}. The outbound side is a broker-internal recipient with its own queue in the
 * store (stored before the local publisher is acknowledged, removed when the remote acknowledged); the remote side
 * is a small client on the broker's own codec, so packet ids survive a restart and QoS 2 resumes without duplicates.
 */
package io.volantmq.bridge;
