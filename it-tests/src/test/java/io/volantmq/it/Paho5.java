package io.volantmq.it;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An Eclipse Paho MQTT 5 client that records what it receives and answers with reason codes. */
final class Paho5 implements MqttCallback, AutoCloseable {
    record Received(String topic, MqttMessage message) {
        String payload() {
            return new String(message.getPayload(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    final MqttAsyncClient client;
    final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
    volatile MqttDisconnectResponse disconnected;
    IMqttToken connectToken;

    private Paho5(String uri, String clientId) throws MqttException {
        client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        client.setCallback(this);
    }

    static Paho5 connect(String uri, String clientId) throws MqttException {
        return connect(uri, clientId, options());
    }

    static MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        return o;
    }

    static Paho5 connect(String uri, String clientId, MqttConnectionOptions options) throws MqttException {
        Paho5 c = new Paho5(uri, clientId);
        try {
            c.connectToken = c.client.connect(options);
            c.connectToken.waitForCompletion(10_000);
        } catch (MqttException e) {
            c.client.close(true);
            throw e;
        }
        return c;
    }

    /** The reason code of the PUBACK (QoS 1), or 0 for QoS 0. */
    int publish(String topic, String payload, int qos, boolean retain) throws MqttException {
        MqttMessage m = new MqttMessage(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8), qos, retain, null);
        IMqttToken t = client.publish(topic, m);
        t.waitForCompletion(10_000);
        int[] codes = t.getReasonCodes();
        return codes == null || codes.length == 0 ? 0 : codes[0];
    }

    /** The SUBACK reason code. */
    int subscribe(String filter, int qos) throws MqttException {
        IMqttToken t = client.subscribe(filter, qos);
        t.waitForCompletion(10_000);
        return t.getReasonCodes()[0];
    }

    Received next() throws InterruptedException {
        Received r = messages.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no message within 10 s");
        }
        return r;
    }

    Received poll(long millis) throws InterruptedException {
        return messages.poll(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        disconnected = response;
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        messages.add(new Received(topic, message));
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5000);
            }
            client.close(true);
        } catch (MqttException e) {
            // already gone
        }
    }
}
