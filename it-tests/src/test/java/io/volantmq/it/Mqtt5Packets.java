package io.volantmq.it;

import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.Will;

import java.util.List;

/** Byte-exact MQTT 5 packets for {@link RawClient}. */
final class Mqtt5Packets {
    private Mqtt5Packets() {
    }

    static Connect connect(String clientId, boolean cleanStart, int keepAlive, Properties properties) {
        return new Connect(ProtocolVersion.MQTT_5, clientId, cleanStart, keepAlive, null, null, null, properties);
    }

    static Connect connect(String clientId) {
        return connect(clientId, true, 60, Properties.EMPTY);
    }

    static Connect connectWithWill(String clientId, long sessionExpiry, Will will) {
        Properties p = Properties.builder().add(PropertyId.SESSION_EXPIRY_INTERVAL, sessionExpiry).build();
        return new Connect(ProtocolVersion.MQTT_5, clientId, true, 60, null, null, will, p);
    }

    static Properties props(Object... idValuePairs) {
        Properties.Builder b = Properties.builder();
        for (int i = 0; i < idValuePairs.length; i += 2) {
            b.add((PropertyId) idValuePairs[i], idValuePairs[i + 1]);
        }
        return b.build();
    }

    static Subscribe subscribe(int packetId, Subscription subscription, Properties properties) {
        return new Subscribe(packetId, List.of(subscription), properties);
    }

    static Subscription option(String filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {
        return new Subscription(filter, qos, noLocal, retainAsPublished, retainHandling);
    }

    static Publish publish(String topic, int qos, int packetId, String payload, Properties properties) {
        return new Publish(topic, qos, false, false, packetId, payload.getBytes(), properties);
    }
}
