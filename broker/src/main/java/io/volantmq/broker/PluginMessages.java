package io.volantmq.broker;

import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.plugin.api.ClientInfo;
import io.volantmq.plugin.api.Message;
import io.volantmq.plugin.api.UserProperty;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Between the broker's records and the API's: only called when a plugin is installed. */
public final class PluginMessages {
    private PluginMessages() {
    }

    public static ClientInfo client(ClientIdentity identity) {
        return new ClientInfo(identity.clientId(), identity.username(), identity.listener(),
                address(identity.remoteAddress()));
    }

    public static String address(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getHostString() + ":" + inet.getPort()
                : String.valueOf(address);
    }

    public static Message message(Publish publish) {
        return new Message(publish.topic(), publish.payload(), publish.qos(), publish.retain(),
                userProperties(publish.properties()));
    }

    public static List<UserProperty> userProperties(Properties properties) {
        if (!properties.contains(PropertyId.USER_PROPERTY)) {
            return List.of();
        }
        List<UserProperty> list = new ArrayList<>();
        for (StringPair p : properties.userProperties()) {
            list.add(new UserProperty(p.name(), p.value()));
        }
        return list;
    }

    /** {@code original} changed as {@code changed} says; its other properties (expiry, content type, ...) kept. */
    public static Publish publish(Publish original, Message changed) {
        Properties.Builder b = Properties.builder();
        for (var p : original.properties().without(PropertyId.USER_PROPERTY).asList()) {
            b.add(p.id(), p.value());
        }
        for (UserProperty u : changed.userProperties()) {
            b.add(PropertyId.USER_PROPERTY, new StringPair(u.name(), u.value()));
        }
        return new Publish(changed.topic(), changed.qos(), changed.retain(), original.dup(),
                changed.qos() == 0 ? 0 : original.packetId(), changed.payload(), b.build());
    }
}
