/**
 * Listeners and their pipelines: TCP, TLS, WebSocket and WebSocket over TLS ({@link
 * io.volantmq.broker.transport.ListenerSpec}, {@link io.volantmq.broker.transport.Listeners}, {@link
 * io.volantmq.broker.transport.MqttChannelInitializer}), PROXY protocol, the connection gate and rate limits a
 * client meets before and after its CONNECT.
 */
package io.volantmq.broker.transport;
