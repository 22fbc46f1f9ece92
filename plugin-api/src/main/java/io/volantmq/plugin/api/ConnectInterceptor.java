package io.volantmq.plugin.api;

import java.util.List;

/** Sees every authenticated CONNECT before the session is claimed and the CONNACK sent. */
@FunctionalInterface
public interface ConnectInterceptor extends Hook {

    /**
     * Accept (optionally adding CONNACK user properties) or refuse {@code client}, which sent
     * {@code userProperties} in its CONNECT (MQTT 5; empty for 3.x).
     */
    ConnectResult onConnect(ClientInfo client, List<UserProperty> userProperties);
}
