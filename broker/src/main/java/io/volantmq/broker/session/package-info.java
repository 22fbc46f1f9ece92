/**
 * One client's life: {@link io.volantmq.broker.session.MqttConnection} (the channel handler), the flows named
 * after the packets they handle ({@link io.volantmq.broker.session.ConnectFlow}, {@link
 * io.volantmq.broker.session.PublishFlow}, {@link io.volantmq.broker.session.SubscribeFlow}), {@link
 * io.volantmq.broker.session.Session} (subscriptions, in-flight and queued messages, will) and {@link
 * io.volantmq.broker.session.SessionRegistry}, which owns every session by client id and decides takeovers and
 * expiry. A connection learns where it came from through {@link io.volantmq.broker.session.ListenerContext} (its
 * listener) and {@link io.volantmq.broker.session.ChannelInfo} (the client's real address and certificates):
 * {@code transport} fills both in and builds the connection, so the dependency runs from transport to session only.
 */
package io.volantmq.broker.session;
