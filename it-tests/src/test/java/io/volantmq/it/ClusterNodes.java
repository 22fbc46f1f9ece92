package io.volantmq.it;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster for the tests: a real redis-server process and broker nodes as their own processes
 * (through the launcher), with the JVM flags that let three of them share two cores. Everything
 * is stopped by its own PID.
 */
final class ClusterNodes implements AutoCloseable {
    private final RedisServerProcess redis;
    private final Path dir;
    private final List<BrokerProcess> nodes = new ArrayList<>();

    ClusterNodes(Path dir) throws IOException, InterruptedException {
        this(dir, List.of());
    }

    /** @param extraBinds addresses Redis listens on besides 127.0.0.1 (e.g. a veth end for a namespace) */
    ClusterNodes(Path dir, List<String> extraBinds) throws IOException, InterruptedException {
        this.dir = dir;
        this.redis = RedisServerProcess.start(dir, extraBinds);
    }

    int redisPort() {
        return redis.port();
    }

    String redisUri() {
        return redis.uri();
    }

    Path dir() {
        return dir;
    }

    /** Starts node {@code name}; settings are extra {@code -D} arguments. */
    BrokerProcess start(String name, String... settings) throws IOException, InterruptedException {
        return node(name, redis.uri(), settings).start();
    }

    /**
     * Node {@code name} reaching Redis at {@code redisUri}, not started yet (the caller may put it in a
     * network namespace first); stopped with the cluster.
     */
    BrokerProcess node(String name, String redisUri, String... settings) throws IOException {
        List<String> args = new ArrayList<>(List.of("-Dvolantmq.cluster=redis", "-Dvolantmq.cluster.redis.uri=" + redisUri,
                "-Dvolantmq.nodeName=" + name, "-Dvolantmq.cluster.livenessTtl=3"));
        args.addAll(List.of(settings));
        BrokerProcess node = new BrokerProcess(args, dir.resolve(name + ".log"))
                .env(Map.of("VOLANTMQ_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:ActiveProcessorCount=1"));
        nodes.add(node);
        return node;
    }

    /** Starts several nodes at once (the JVMs start in parallel). */
    List<BrokerProcess> startAll(String... names) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new CopyOnWriteArrayList<>();
        BrokerProcess[] started = new BrokerProcess[names.length];
        for (int i = 0; i < names.length; i++) {
            int index = i;
            Thread t = new Thread(() -> {
                try {
                    started[index] = start(names[index]);
                } catch (Exception e) {
                    failures.add(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return List.of(started);
    }

    @Override
    public void close() throws InterruptedException {
        for (BrokerProcess node : nodes) {
            node.close();
        }
        redis.close();
    }

    // ------------------------------------------------------------------ MQTT 5 clients (Paho)

    /** What one client connection saw. */
    static final class Client implements MqttCallback {
        final MqttClient client;
        final List<String> received = new CopyOnWriteArrayList<>();
        final List<Boolean> dups = new CopyOnWriteArrayList<>();
        volatile int disconnectReason = -1;
        final AtomicInteger arrivals = new AtomicInteger();
        private final List<String> sink;

        Client(String uri, String clientId, List<String> sink) throws MqttException {
            this.client = new MqttClient(uri, clientId, new MemoryPersistence());
            client.setTimeToWait(30_000); // a token never completed must fail the test, not hang it
            this.sink = sink;
            client.setCallback(this);
        }

        /** Connects; returns session present. */
        boolean connect(boolean cleanStart, long expiry) throws MqttException {
            return connectTo(null, cleanStart, expiry, 60);
        }

        /**
         * Connects this same client (its in-memory QoS 2 state kept, as a real client's would be) to
         * {@code uri}, or to the one it was made with when null; returns session present.
         */
        boolean connectTo(String uri, boolean cleanStart, long expiry, int keepAliveSeconds) throws MqttException {
            MqttConnectionOptions o = new MqttConnectionOptions();
            if (uri != null) {
                o.setServerURIs(new String[] {uri});
            }
            o.setCleanStart(cleanStart);
            o.setSessionExpiryInterval(expiry);
            o.setAutomaticReconnect(false);
            o.setConnectionTimeout(20);
            o.setKeepAliveInterval(keepAliveSeconds);
            IMqttToken token = client.connectWithResult(o);
            disconnectReason = -1;
            return token.getSessionPresent();
        }

        void closeQuietly() {
            try {
                if (client.isConnected()) {
                    client.disconnectForcibly(0, 1000, false);
                }
            } catch (MqttException e) {
                // gone already
            }
            try {
                client.close(true);
            } catch (MqttException e) {
                // gone already
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            disconnectReason = response.getReturnCode();
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            String text = new String(message.getPayload());
            received.add(text);
            dups.add(message.isDuplicate());
            if (sink != null) {
                sink.add(text);
            }
            arrivals.incrementAndGet();
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
    }

    /** The sequence numbers of the oracle's messages ("1:<seq>") among {@code received}, in arrival order. */
    static List<Integer> seqs(List<String> received) {
        List<Integer> seqs = new ArrayList<>();
        for (String text : received) {
            if (text.startsWith("1:")) {
                seqs.add(Integer.parseInt(text.substring(2)));
            }
        }
        return seqs;
    }
}
