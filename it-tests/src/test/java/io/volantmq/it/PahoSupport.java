package io.volantmq.it;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Eclipse Paho (mqttv3) clients that record what they receive. */
final class PahoSupport {
    private PahoSupport() {
    }

    record Received(String topic, MqttMessage message) {
        String payload() {
            return new String(message.getPayload());
        }
    }

    static final class Recorder implements MqttCallback {
        final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
        final List<Throwable> lost = new CopyOnWriteArrayList<>();

        @Override
        public void connectionLost(Throwable cause) {
            lost.add(cause);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            messages.add(new Received(topic, message));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        Received next() throws InterruptedException {
            Received r = messages.poll(10, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no message within 10 s");
            }
            return r;
        }

        /** Null when nothing arrives within {@code millis}. */
        Received poll(long millis) throws InterruptedException {
            return messages.poll(millis, TimeUnit.MILLISECONDS);
        }
    }

    static MqttClient client(String uri, String clientId, Recorder recorder) throws MqttException {
        MqttClient client = new MqttClient(uri, clientId, new MemoryPersistence());
        client.setCallback(recorder);
        client.setTimeToWait(10_000);
        return client;
    }

    static MqttConnectOptions options(boolean cleanSession) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(cleanSession);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        // Paho decrements its inflight count on its callback thread, after the synchronous publish
        // has already returned: back-to-back publishes can trip its default limit of 10
        options.setMaxInflight(1000);
        return options;
    }

    static MqttClient connect(String uri, String clientId, boolean cleanSession, Recorder recorder)
            throws MqttException {
        MqttClient client = client(uri, clientId, recorder);
        client.connect(options(cleanSession));
        return client;
    }
}
