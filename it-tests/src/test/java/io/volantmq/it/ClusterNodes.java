package io.volantmq.it;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttPersistable;
import org.eclipse.paho.mqttv5.common.MqttPersistenceException;
import org.eclipse.paho.mqttv5.common.packet.MqttPublish;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
    private final List<BrokerProcess> nodes = new CopyOnWriteArrayList<>(); // startAll adds from several threads
    private boolean traced;
    /** Extra {@code -D} arguments of every node started from now on. */
    private final List<String> common = new ArrayList<>();

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

    /**
     * Nodes started from now on log the cluster's trace (cluster-node-logback.xml: markers, releases, arrivals,
     * hand-ons, each message published or routed from an inbox), enough to follow one message through a fault.
     */
    ClusterNodes traced() {
        this.traced = true;
        return this;
    }

    /** Nodes started from now on get {@code settings} (extra {@code -D} arguments) too. */
    ClusterNodes withSettings(String... settings) {
        common.addAll(List.of(settings));
        return this;
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
        if (traced) {
            args.add("-Dlogback.configurationFile=" + Path.of("target", "test-classes", "cluster-node-logback.xml")
                    .toAbsolutePath());
        }
        args.addAll(common);
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
        volatile int disconnectReason = -1;
        final AtomicInteger arrivals = new AtomicInteger();
        /** Every arrival: payload, time, packet id, QoS, the node's URI, and whether it was a resend (not delivered). */
        final List<String> trace = new CopyOnWriteArrayList<>();
        final Qos2Receipts receipts = new Qos2Receipts();
        private final List<String> sink;

        Client(String uri, String clientId, List<String> sink) throws MqttException {
            this.client = new MqttClient(uri, clientId, receipts);
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
            boolean resend = message.getQos() == 2 && receipts.takeResend(text);
            trace.add(text + " at=" + System.currentTimeMillis() % 100_000 + " id=" + message.getId() + " qos="
                    + message.getQos() + " via=" + client.getCurrentServerURI() + (resend ? " resend, not delivered" : ""));
            if (resend) {
                return; // [MQTT-4.3.3-10]: the application has it already
            }
            received.add(text);
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

    /**
     * The client's QoS 2 receive state, part of its session [MQTT 4.1]: Paho keeps one entry, "r-" + packet
     * id, from a QoS 2 PUBLISH until its PUBREL. Two things make Paho 1.2.5 an unfit QoS 2 receiver for
     * these tests, and this class makes up for both:
     * <ul>
     *   <li>its MemoryPersistence starts empty at every connect ({@code open} makes a new table), so a
     *   client that reconnects has forgotten which messages it has not been released from; this store
     *   keeps them across connections (emptied only by a clean start);</li>
     *   <li>it hands every QoS 2 PUBLISH to the application, also one whose packet id it has not been
     *   released from yet; [MQTT-4.3.3-10] forbids that: until the PUBREL, a PUBLISH with the same packet
     *   id is acknowledged with PUBREC again and not delivered again (the server resends it so, with DUP=1
     *   and the same packet id, to a session that resumes [MQTT-4.4.0-1]).</li>
     * </ul>
     * Paho stores the PUBLISH here on its receiver thread before it hands it to the callback thread, so
     * {@link #takeResend} answers, in arrival order, whether an arrival was such a resend. Only an exact
     * one counts (DUP=1, same packet id, same payload); anything else reaches the application.
     */
    static final class Qos2Receipts implements MqttClientPersistence {
        private final Map<String, MqttPersistable> data =
                new ConcurrentHashMap<>();
        private final Map<String, Queue<Boolean>> resendsByPayload = new ConcurrentHashMap<>();
        /** Trace: QoS 2 receipts stored and released, with the time (ms) and the PUBLISH's DUP flag on the wire. */
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void open(String clientId) {
            // kept: the state belongs to the session, not to one connection
        }

        @Override
        public void close() {
        }

        @Override
        public void put(String key, MqttPersistable message)
                throws MqttPersistenceException {
            if (key.startsWith("r-")) {
                MqttPersistable held = data.get(key);
                String payload = payload(message);
                boolean dup = wireDup(message);
                boolean resend = held != null && dup && payload.equals(payload(held));
                resendsByPayload.computeIfAbsent(payload, k -> new ConcurrentLinkedQueue<>()).add(resend);
                events.add(System.currentTimeMillis() % 100_000 + " receipt " + key + " " + payload + " dup=" + dup
                        + (held == null ? " new" : resend ? " resend-before-PUBREL" : " id-reused-before-PUBREL:" + payload(held)));
            }
            data.put(key, message);
        }

        @Override
        public MqttPersistable get(String key) {
            return data.get(key);
        }

        @Override
        public void remove(String key) throws MqttPersistenceException {
            MqttPersistable held = data.remove(key);
            if (key.startsWith("r-") && held != null) {
                events.add(System.currentTimeMillis() % 100_000 + " released " + key + " " + payload(held) + " (PUBREL)");
            }
        }

        @Override
        public Enumeration<String> keys() {
            return Collections.enumeration(new ArrayList<>(data.keySet()));
        }

        @Override
        public void clear() {
            events.add(System.currentTimeMillis() % 100_000 + " clear (clean start)");
            data.clear();
        }

        @Override
        public boolean containsKey(String key) {
            return data.containsKey(key);
        }

        /** Whether the next arrival of {@code payload} was a resend of a PUBLISH not yet released. */
        boolean takeResend(String payload) {
            Queue<Boolean> q = resendsByPayload.get(payload);
            Boolean resend = q == null ? null : q.poll();
            return resend != null && resend;
        }

        private static String payload(MqttPersistable p)
                throws MqttPersistenceException {
            return new String(p.getPayloadBytes(), p.getPayloadOffset(), p.getPayloadLength());
        }

        /** Paho 1.2.5 keeps a received PUBLISH's DUP flag in the packet only (its MqttMessage says false). */
        private static boolean wireDup(Object packet) {
            try {
                java.lang.reflect.Field f = MqttPublish.class.getDeclaredField("dup");
                f.setAccessible(true);
                return f.getBoolean(packet);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("Paho's PUBLISH has no 'dup' field any more: " + e);
            }
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

    /**
     * An inbox entry's text as a node writes it (the cluster's own record, reached by reflection: it is not public), so
     * a test can place a message in a node's inbox as another node would.
     */
    static String encodeForwarded(String msgId, String originClientId, io.volantmq.broker.protocol.Publish publish,
                                  java.util.Set<String> covered, Map<String, String> shares, java.util.Set<String> notReached)
            throws ReflectiveOperationException {
        Class<?> forwarded = Class.forName("io.volantmq.cluster.Forwarded");
        java.lang.reflect.Constructor<?> make = forwarded.getDeclaredConstructor(String.class, String.class,
                io.volantmq.broker.protocol.Publish.class, java.util.Set.class, Map.class, java.util.Set.class);
        make.setAccessible(true);
        java.lang.reflect.Method encode = forwarded.getDeclaredMethod("encode");
        encode.setAccessible(true);
        return (String) encode.invoke(make.newInstance(msgId, originClientId, publish, covered, shares, notReached));
    }
}
