package io.volantmq.bench;

import io.volantmq.broker.protocol.ProtocolVersion;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The command-line options every scenario shares (a picocli mixin). */
final class LoadOptions {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "broker host (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "1883", description = "broker port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--protocol", defaultValue = "3.1.1", description = "MQTT version: 3.1, 3.1.1 or 5 (default: ${DEFAULT-VALUE})")
    String protocol;

    @Option(names = "--qos", defaultValue = "0", description = "QoS of publishes and subscriptions: 0, 1 or 2 (default: ${DEFAULT-VALUE})")
    int qos;

    @Option(names = "--payload", defaultValue = "64", paramLabel = "BYTES",
            description = "payload size, at least 20 (default: ${DEFAULT-VALUE})")
    int payload;

    @Option(names = "--duration", defaultValue = "10", paramLabel = "SECONDS",
            description = "publishing time after the warm-up (default: ${DEFAULT-VALUE})")
    double duration;

    @Option(names = "--count", defaultValue = "0", paramLabel = "MESSAGES",
            description = "publish this many messages in total instead of a timed run")
    long count;

    @Option(names = "--publishers", defaultValue = "0", description = "publishing connections (pair: pairs; default per scenario)")
    int publishers;

    @Option(names = "--subscribers", defaultValue = "0", description = "subscribing connections (default per scenario)")
    int subscribers;

    @Option(names = "--clients", defaultValue = "0", description = "mesh and connections: clients (default per scenario)")
    int clients;

    @Option(names = "--inflight", defaultValue = "64",
            description = "QoS 1/2 messages a publisher may have unacknowledged (default: ${DEFAULT-VALUE})")
    int inflight;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "MSGS_PER_S",
            description = "fixed total publish rate over all publishers, for latency runs; latency then counts from "
                    + "each message's scheduled time (default: as fast as allowed)")
    double rate;

    @Option(names = "--window", defaultValue = "0", paramLabel = "W",
            description = "closed loop: at most W messages per publisher in flight end to end (default: off)")
    int window;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "SECONDS",
            description = "publish this long before measuring (default: ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--drain-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "after publishing, wait at most this long for the last deliveries (default: ${DEFAULT-VALUE})")
    double drainTimeout;

    @Option(names = "--threads", paramLabel = "N", description = "client event loop threads (default: available processors)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--transport", defaultValue = "auto",
            description = "client sockets: epoll (Linux native), nio, or auto = epoll where available (default: ${DEFAULT-VALUE})")
    String transport;

    @Option(names = "--tls", description = "connect over TLS (the broker's ssl:// listener, or wss:// with --ws)")
    boolean tls;

    @Option(names = "--cafile", paramLabel = "PEM",
            description = "with --tls: trust the CA certificates in this PEM file (default: trust any certificate, "
                    + "with a warning; the host name is checked only with --tls-resume)")
    Path caFile;

    @Option(names = "--tls-version", paramLabel = "1.2|1.3", description = "with --tls: only this TLS version "
            + "(default: the JDK's choice of 1.3 and 1.2)")
    String tlsVersion;

    @Option(names = "--tls-resume", description = "with --tls: let the JDK resume TLS sessions where it has a ticket "
            + "(few with many concurrent connects) and check the host name (default: a full handshake per connection)")
    boolean tlsResume;

    @Option(names = "--tls-provider", paramLabel = "auto|openssl|jdk", description = "with --tls: the client's TLS "
            + "engine; auto = OpenSSL (BoringSSL) where it loads, else the JDK (default: auto)")
    String tlsProvider;

    @Option(names = "--ws", paramLabel = "PATH", description = "MQTT over WebSocket at this path, e.g. /mqtt "
            + "(subprotocol mqtt, binary frames; wss:// with --tls)")
    String wsPath;

    @Option(names = "--warmup-connections", defaultValue = "0", paramLabel = "N",
            description = "before the measured connect: connect and close N throw-away clients, so the JIT of tool "
                    + "and broker (TLS included) is warm when connects/s is measured (default: ${DEFAULT-VALUE})")
    int warmupConnections;

    @Option(names = "--connect-concurrency", defaultValue = "100",
            description = "connects/subscribes outstanding at once (default: ${DEFAULT-VALUE})")
    int connectConcurrency;

    @Option(names = "--keep-alive", defaultValue = "60", paramLabel = "SECONDS",
            description = "CONNECT keep-alive; PINGREQ every half of it (default: ${DEFAULT-VALUE})")
    int keepAlive;

    @Option(names = "--broker-pid", defaultValue = "0", paramLabel = "PID",
            description = "the broker's process id (Linux): report its CPU while measured, and its resident memory "
                    + "before connecting and after subscribing")
    long brokerPid;

    @Option(names = "--html", paramLabel = "FILE", description = "write an HTML report with charts")
    Path html;

    @Option(names = "--label", defaultValue = "broker", description = "the broker's name in the result (default: ${DEFAULT-VALUE})")
    String label;

    @Option(names = "--case", paramLabel = "NAME", description = "the case's name in the result (default: scenario and QoS)")
    String caseName;

    @Option(names = "--quiet", description = "no progress lines")
    boolean quiet;

    @Option(names = "--sub-port", split = ",", paramLabel = "PORT",
            description = "subscribers connect to this port instead (the far end of a bridge; default: --port);"
                    + " several, comma-separated, take the subscribers in turn (cluster nodes)")
    java.util.List<Integer> subPorts = new java.util.ArrayList<>();

    @Option(names = "--stalled", defaultValue = "0", paramLabel = "N",
            description = "also N subscribers that subscribe to the (first) topic and then never read: a slow "
                    + "consumer beside the measured ones (default: ${DEFAULT-VALUE})")
    int stalled;

    @Option(names = "--source-addresses", defaultValue = "1", paramLabel = "N",
            description = "bind the clients to 127.0.0.1 .. 127.0.0.N in turn, for more connections than one address's "
                    + "ephemeral ports (net.ipv4.ip_local_port_range); a loopback broker only (default: ${DEFAULT-VALUE})")
    int sourceAddresses;

    @Option(names = "--persistent-sessions", description = "subscribers keep their session: clean start=0 with a "
            + "session expiry of " + BenchClient.PERSISTENT_EXPIRY_SECONDS + " s (5), clean session=0 (3.x), so a "
            + "durable store keeps their queues; by default every client's session ends with its connection")
    boolean persistentSessions;

    BenchConfig toConfig(Scenario scenario) {
        String name = caseName != null ? caseName : scenario.command() + " qos" + qos;
        // 'connections' sends one message per topic: nothing to warm up, and that message must be measured
        double warmupSeconds = scenario == Scenario.CONNECTIONS ? 0 : warmup;
        return new BenchConfig(scenario, host, port, protocol(protocol), qos, payload, duration, count, publishers,
                subscribers, clients, inflight, rate, window, warmupSeconds, drainTimeout, threads, connectConcurrency,
                keepAlive, warmupConnections, ClientTransport.of(transport), Wire.of(tls, caFile, tlsVersion, tlsResume, wsPath, tlsProvider),
                brokerPid, html, label, name, !quiet, subPorts, stalled, sourceAddresses, persistentSessions);
    }

    static ProtocolVersion protocol(String name) {
        return switch (name) {
            case "3.1", "3" -> ProtocolVersion.MQTT_3_1;
            case "3.1.1", "4" -> ProtocolVersion.MQTT_3_1_1;
            case "5", "5.0" -> ProtocolVersion.MQTT_5;
            default -> throw new IllegalArgumentException("--protocol must be 3.1, 3.1.1 or 5, not " + name);
        };
    }
}
