package io.volantmq.bench;

import io.volantmq.broker.protocol.ProtocolVersion;

import java.nio.file.Path;

/**
 * One run's settings, validated; built from the command line by {@link LoadOptions}. Counts left at 0
 * take the scenario's default ({@link Topology#of}).
 *
 * @param durationSeconds    publishing time after the warm-up; ignored when {@code count} is set
 * @param count              messages to publish in total over all streams, 0 for a timed run
 * @param inflight           QoS 1/2 messages a publisher may have unacknowledged
 * @param rate               total publish rate over all streams in messages/s, 0 for as fast as allowed
 * @param window             closed loop: messages a stream may have in flight end to end, 0 for none
 * @param threads            client event loop threads
 * @param warmupConnections  throw-away clients connected and closed before the measured connect phase
 * @param transport          the client socket implementation
 * @param wire               what carries MQTT: plain TCP, TLS, WebSocket or both
 * @param brokerPid          the broker's process id for memory readings, 0 for none
 * @param html               where to write the HTML report, or null
 * @param label              names the broker in the result (e.g. "volantmq", "mosquitto")
 * @param caseName           names the case in the result, for side-by-side tables
 * @param subscriberPorts    where subscribing-only clients connect, in turn (another broker, e.g. the far
 *                           end of a bridge, or the nodes of a cluster); empty for {@code port}
 * @param stalled            extra subscribers on the first stream's topic that subscribe and then never read
 *                           (a slow consumer the others must not feel); not counted as subscribers
 * @param sourceAddresses    clients bind to 127.0.0.1, 127.0.0.2, ... this many loopback addresses in turn: one
 *                           source address has only the ephemeral port range (about 28k) towards one broker port
 * @param persistentSessions subscribers connect with a session that outlives the connection (a durable store then
 *                           keeps their queues); false: every session ends with its connection
 */
record BenchConfig(Scenario scenario, String host, int port, ProtocolVersion protocol, int qos, int payloadSize,
                   double durationSeconds, long count, int publishers, int subscribers, int clients, int inflight,
                   double rate, int window, double warmupSeconds, double drainTimeoutSeconds, int threads,
                   int connectConcurrency, int keepAliveSeconds, int warmupConnections, ClientTransport transport,
                   Wire wire, long brokerPid, Path html, String label, String caseName, boolean progress,
                   java.util.List<Integer> subscriberPorts, int stalled, int sourceAddresses,
                   boolean persistentSessions) {

    BenchConfig {
        require(stalled >= 0, "--stalled must not be negative");
        require(qos >= 0 && qos <= 2, "--qos must be 0, 1 or 2");
        require(payloadSize >= BenchPayload.HEADER_SIZE && payloadSize <= 256 * 1024 * 1024,
                "--payload must be at least " + BenchPayload.HEADER_SIZE + " bytes (stream id, sequence, send time)");
        require(count >= 0, "--count must not be negative");
        require(count > 0 || durationSeconds > 0, "--duration must be positive (or give --count)");
        require(publishers >= 0 && subscribers >= 0 && clients >= 0, "client counts must not be negative");
        require(inflight >= 1 && inflight <= 65535, "--inflight must be 1..65535");
        require(rate >= 0, "--rate must not be negative");
        require(window >= 0, "--window must not be negative");
        require(warmupSeconds >= 0 && drainTimeoutSeconds >= 0, "times must not be negative");
        require(threads >= 1, "--threads must be at least 1");
        require(connectConcurrency >= 1, "--connect-concurrency must be at least 1");
        require(warmupConnections >= 0, "--warmup-connections must not be negative");
        require(keepAliveSeconds >= 0 && keepAliveSeconds <= 65535, "--keep-alive must be 0..65535");
        require(port > 0 && port < 65536, "--port must be 1..65535");
        subscriberPorts = java.util.List.copyOf(subscriberPorts);
        require(subscriberPorts.stream().allMatch(p -> p > 0 && p < 65536), "--sub-port must be 1..65535");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    boolean timed() {
        return count == 0;
    }

    String protocolName() {
        return protocol == ProtocolVersion.MQTT_5 ? "5" : protocol == ProtocolVersion.MQTT_3_1 ? "3.1" : "3.1.1";
    }
}
