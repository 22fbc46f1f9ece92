package io.volantmq.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.volantmq.broker.protocol.PacketType;

import java.util.EnumMap;
import java.util.Map;

/**
 * The broker's one set of meters, updated on the hot path (Micrometer counters are lock-free).
 * {@code $SYS}, {@code /metrics} and the admin API all read from the registry behind it. Names
 * follow Micrometer's dotted style ({@code volantmq.packets.received}); the Prometheus registry
 * renders them as {@code volantmq_packets_received_total}.
 */
public final class BrokerMetrics {
    /** Messages dropped, by tag {@code reason}: expired, acl, oversize, slow_consumer here; queue_full in {@code io.volantmq.broker.BrokerGauges}. */
    public static final String DROPPED = "volantmq.messages.dropped";
    public static final String DROPPED_DESCRIPTION = "queued messages dropped, by reason";

    private final MeterRegistry registry;
    private final Map<PacketType, Counter> packetsReceived = new EnumMap<>(PacketType.class);
    private final Map<PacketType, Counter> packetsSent = new EnumMap<>(PacketType.class);
    private final Counter bytesReceived;
    private final Counter bytesSent;
    private final Counter messagesReceived;
    private final Counter messagesSent;
    private final Counter payloadBytesReceived;
    private final Counter payloadBytesSent;
    private final Counter connects;
    private final Counter disconnects;
    private final Counter sessionsExpired;
    private final Counter expiredMessages;
    private final Counter deniedMessages;
    private final Counter oversizeMessages;
    private final Counter slowConsumerMessages;
    private final Counter unwritableCloses;
    private final Map<Limit, Counter> limitRefusals = new EnumMap<>(Limit.class);

    /** The resource limits whose refusals are counted, as tag {@code limit} of {@code volantmq.limits.refused}. */
    public enum Limit {
        /** A topic name or filter with more levels than {@code maxTopicLevels}. */
        TOPIC_LEVELS,
        /** A subscription beyond {@code maxSubscriptionsPerClient}. */
        SUBSCRIPTIONS,
        /** A topic filter beyond {@code maxFiltersPerSubscribe} in one SUBSCRIBE. */
        SUBSCRIBE_FILTERS,
        /** A retained message beyond {@code maxRetainedMessages} / {@code maxRetainedBytes}. */
        RETAINED,
        /** An inbound QoS 2 packet id beyond the receive maximum (MQTT 5 and 3.x). */
        INBOUND_QOS2
    }

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (PacketType type : PacketType.values()) {
            String name = type.name().toLowerCase(java.util.Locale.ROOT);
            packetsReceived.put(type, Counter.builder("volantmq.packets.received").tag("type", name)
                    .description("MQTT packets received, by type").register(registry));
            packetsSent.put(type, Counter.builder("volantmq.packets.sent").tag("type", name)
                    .description("MQTT packets sent, by type").register(registry));
        }
        bytesReceived = Counter.builder("volantmq.bytes.received").baseUnit("bytes")
                .description("bytes read from client connections").register(registry);
        bytesSent = Counter.builder("volantmq.bytes.sent").baseUnit("bytes")
                .description("bytes written to client connections").register(registry);
        messagesReceived = Counter.builder("volantmq.messages.received")
                .description("PUBLISH packets received from clients").register(registry);
        messagesSent = Counter.builder("volantmq.messages.sent")
                .description("PUBLISH packets sent to clients").register(registry);
        payloadBytesReceived = Counter.builder("volantmq.messages.received.payload").baseUnit("bytes")
                .description("payload bytes of PUBLISH packets received").register(registry);
        payloadBytesSent = Counter.builder("volantmq.messages.sent.payload").baseUnit("bytes")
                .description("payload bytes of PUBLISH packets sent").register(registry);
        connects = Counter.builder("volantmq.clients.connects")
                .description("successful CONNECTs").register(registry);
        disconnects = Counter.builder("volantmq.clients.disconnects")
                .description("connections of connected clients that ended").register(registry);
        sessionsExpired = Counter.builder("volantmq.sessions.expired")
                .description("sessions removed when their expiry interval passed").register(registry);
        expiredMessages = dropped(registry, "expired");
        deniedMessages = dropped(registry, "acl");
        oversizeMessages = dropped(registry, "oversize");
        slowConsumerMessages = dropped(registry, "slow_consumer");
        unwritableCloses = Counter.builder("volantmq.clients.closed").tag("reason", "unwritable")
                .description("connections the broker closed, by reason").register(registry);
        for (Limit limit : Limit.values()) {
            limitRefusals.put(limit, Counter.builder("volantmq.limits.refused")
                    .tag("limit", limit.name().toLowerCase(java.util.Locale.ROOT))
                    .description("requests refused because a resource limit was reached, by limit")
                    .register(registry));
        }
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder(DROPPED).tag("reason", reason).description(DROPPED_DESCRIPTION).register(registry);
    }

    /** Meters nobody reads: for tests and embedders that do not care. */
    public static BrokerMetrics noop() {
        return new BrokerMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void packetReceived(PacketType type) {
        packetsReceived.get(type).increment();
    }

    public void packetSent(PacketType type) {
        packetsSent.get(type).increment();
    }

    public void bytesReceived(int bytes) {
        bytesReceived.increment(bytes);
    }

    public void bytesSent(int bytes) {
        bytesSent.increment(bytes);
    }

    public void messageReceived(int payloadBytes) {
        messagesReceived.increment();
        payloadBytesReceived.increment(payloadBytes);
    }

    public void messageSent(int payloadBytes) {
        messagesSent.increment();
        payloadBytesSent.increment(payloadBytes);
    }

    public void clientConnected() {
        connects.increment();
    }

    public void clientDisconnected() {
        disconnects.increment();
    }

    public void sessionExpired() {
        sessionsExpired.increment();
    }

    public void messageExpired() {
        expiredMessages.increment();
    }

    public void messageDenied() {
        deniedMessages.increment();
    }

    /** A message not sent because it exceeded the client's MQTT 5 Maximum Packet Size. */
    public void messageOversize() {
        oversizeMessages.increment();
    }

    /** A QoS 0 message not sent because the subscriber's connection was not writable (slow consumer). */
    public void messageSlowConsumer() {
        slowConsumerMessages.increment();
    }

    /** A connection closed because its client read nothing for too long (write buffer full). */
    public void unwritableClosed() {
        unwritableCloses.increment();
    }

    public void limitRefused(Limit limit) {
        limitRefusals.get(limit).increment();
    }

    /** Refusals of {@code limit} since start (tests, the admin API). */
    public long limitRefusals(Limit limit) {
        return (long) limitRefusals.get(limit).count();
    }
}
