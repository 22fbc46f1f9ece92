package io.volantmq.broker;

import io.volantmq.broker.config.ConfigLoader;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Every broker setting, immutable. Built with {@link #builder()} when embedding, or read from
 * {@code volantmq.*} system properties by {@link #fromProperties}. Defaults are listed in the README.
 */
public record BrokerConfig(
        List<URI> listeners,
        String nodeName,
        int connectTimeoutSeconds,
        int keepAliveSeconds,
        boolean forceKeepAlive,
        int maxPacketSize,
        int maxSessionCount,
        boolean offlineQos0,
        boolean allowOverlappingSubscriptions,
        DuplicateClientPolicy duplicateClientPolicy,
        int maxInflight,
        int maxQueuedMessages,
        long maxQueuedBytes,
        DropPolicy queueDropPolicy,
        int maxKeepAliveSeconds,
        int receiveMaximum,
        int topicAliasMaximum,
        String responseInformation,
        boolean validatePayloadFormat,
        String persistence,
        Properties persistenceProperties,
        Map<String, String> settings) {

    /** What a second connection with a client id already connected does. */
    public enum DuplicateClientPolicy {
        /** The newcomer wins and the old connection is closed [MQTT-3.1.4-2]. */
        TAKEOVER,
        /** The newcomer is refused (CONNACK identifier rejected / 0x85). */
        REFUSE
    }

    /** Which message a full session queue gives up. */
    public enum DropPolicy { OLDEST, NEWEST }

    public static final String PREFIX = "volantmq.";

    /**
     * The listener when none is configured: loopback only, so a broker started without thinking about
     * it (anonymous access is the default) is not open to the network. Mosquitto 2.0 made the same choice.
     */
    public static final String DEFAULT_LISTENER = "tcp://127.0.0.1:1883";

    public BrokerConfig {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("at least one listener is needed (volantmq.listeners)");
        }
        requireRange("connectTimeoutSeconds", connectTimeoutSeconds, 1, 3600);
        requireRange("keepAliveSeconds", keepAliveSeconds, 0, 65535);
        requireRange("maxPacketSize", maxPacketSize, 16, 268_435_460);
        requireRange("maxSessionCount", maxSessionCount, 0, Integer.MAX_VALUE);
        requireRange("maxInflight", maxInflight, 1, 65535);
        requireRange("maxQueuedMessages", maxQueuedMessages, 1, Integer.MAX_VALUE);
        requireRange("maxKeepAlive", maxKeepAliveSeconds, 0, 65535);
        requireRange("receiveMaximum", receiveMaximum, 1, 65535);
        requireRange("topicAliasMaximum", topicAliasMaximum, 0, 65535);
        if (maxQueuedBytes < 1) {
            throw new IllegalArgumentException("maxQueuedBytes must be positive, got " + maxQueuedBytes);
        }
        persistenceProperties = persistenceProperties == null ? new Properties() : persistenceProperties;
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    /**
     * The start-up hint when the broker listens on the default loopback listener only because no
     * listener was configured; empty otherwise.
     */
    public Optional<String> defaultListenerHint() {
        if (settings.containsKey("listeners") || !listeners.equals(List.of(URI.create(DEFAULT_LISTENER)))) {
            return Optional.empty();
        }
        return Optional.of("no listeners configured: listening on " + DEFAULT_LISTENER
                + " (this host only); to accept clients from the network, set e.g. "
                + "-D" + PREFIX + "listeners=tcp://0.0.0.0:1883");
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(PREFIX + name + " must be in " + min + ".." + max + ", got " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads {@code volantmq.*} keys, checked like the server's (see {@code io.volantmq.broker.config.SettingsCatalog}):
     * an unknown {@code volantmq.*} key, a value of the wrong type or out of range fails with every problem
     * listed; anything absent keeps its default. Other properties are ignored.
     */
    public static BrokerConfig fromProperties(Properties props) {
        return ConfigLoader.fromProperties(props).brokerConfig();
    }

    /** Splits a {@code volantmq.listeners} value: a comma starts a new listener only before "scheme://". */
    public static List<String> splitListeners(String value) {
        List<String> uris = new ArrayList<>();
        // ?auth=certificate,file stays whole
        for (String uri : value.split(",(?=\\s*[A-Za-z][A-Za-z0-9+.-]*://)")) {
            if (!uri.isBlank()) {
                uris.add(uri.trim());
            }
        }
        return uris;
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private final List<URI> listeners = new ArrayList<>(List.of(URI.create(DEFAULT_LISTENER)));
        private String nodeName = "volantmq";
        private int connectTimeoutSeconds = 10;
        private int keepAliveSeconds = 60;
        private boolean forceKeepAlive;
        private int maxPacketSize = 16 * 1024 * 1024;
        private int maxSessionCount;
        private boolean offlineQos0;
        private boolean allowOverlappingSubscriptions;
        private DuplicateClientPolicy duplicateClientPolicy = DuplicateClientPolicy.TAKEOVER;
        private int maxInflight = 64;
        private int maxQueuedMessages = 10_000;
        private long maxQueuedBytes = 64L * 1024 * 1024;
        private DropPolicy queueDropPolicy = DropPolicy.OLDEST;
        private int maxKeepAliveSeconds;
        private int receiveMaximum = 64;
        private int topicAliasMaximum = 10;
        private String responseInformation;
        private boolean validatePayloadFormat;
        private String persistence;
        private Properties persistenceProperties = new Properties();

        private Builder() {
        }

        /** Replaces the default listener on the first call; later calls add more. */
        private boolean listenersTouched;

        public Builder listener(String uri) {
            if (!listenersTouched) {
                listeners.clear();
                listenersTouched = true;
            }
            listeners.add(URI.create(uri));
            return this;
        }

        public Builder nodeName(String v) { nodeName = v; return this; }
        public Builder connectTimeoutSeconds(int v) { connectTimeoutSeconds = v; return this; }
        public Builder keepAliveSeconds(int v) { keepAliveSeconds = v; return this; }
        public Builder forceKeepAlive(boolean v) { forceKeepAlive = v; return this; }
        public Builder maxPacketSize(int v) { maxPacketSize = v; return this; }
        public Builder maxSessionCount(int v) { maxSessionCount = v; return this; }
        public Builder offlineQos0(boolean v) { offlineQos0 = v; return this; }
        public Builder allowOverlappingSubscriptions(boolean v) { allowOverlappingSubscriptions = v; return this; }
        public Builder duplicateClientPolicy(DuplicateClientPolicy v) { duplicateClientPolicy = v; return this; }
        public Builder maxInflight(int v) { maxInflight = v; return this; }
        public Builder maxQueuedMessages(int v) { maxQueuedMessages = v; return this; }
        public Builder maxQueuedBytes(long v) { maxQueuedBytes = v; return this; }
        public Builder queueDropPolicy(DropPolicy v) { queueDropPolicy = v; return this; }
        /** MQTT 5: the largest keep-alive accepted; 0 or more is answered with Server Keep Alive. 0 = no limit. */
        public Builder maxKeepAliveSeconds(int v) { maxKeepAliveSeconds = v; return this; }
        /** MQTT 5: unacknowledged QoS 1/2 PUBLISHes a client may have towards the broker. */
        public Builder receiveMaximum(int v) { receiveMaximum = v; return this; }
        /** MQTT 5: topic aliases a client may use towards the broker (0 = none). */
        public Builder topicAliasMaximum(int v) { topicAliasMaximum = v; return this; }
        /** MQTT 5: Response Information sent to clients that request it (null = none). */
        public Builder responseInformation(String v) { responseInformation = v; return this; }
        /** MQTT 5: check that payloads marked UTF-8 (Payload Format Indicator 1) are (0x99 otherwise). */
        public Builder validatePayloadFormat(boolean v) { validatePayloadFormat = v; return this; }
        /** The persistence provider's name; null picks automatically (see README). */
        public Builder persistence(String v) { persistence = v; return this; }
        /** Properties holding {@code volantmq.persistence.<name>.*} backend settings. */
        public Builder persistenceProperties(Properties v) { persistenceProperties = v; return this; }

        private final Map<String, String> settings = new HashMap<>();

        /**
         * A transport or security setting ({@code tls.certFile}, {@code auth}, {@code acl.file}, ...; see the
         * README), with or without the {@code volantmq.} prefix. Listener URIs override them per listener.
         */
        public Builder setting(String key, String value) {
            settings.put(key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key, value);
            return this;
        }

        public BrokerConfig build() {
            return new BrokerConfig(listeners, nodeName, connectTimeoutSeconds, keepAliveSeconds, forceKeepAlive,
                    maxPacketSize, maxSessionCount, offlineQos0, allowOverlappingSubscriptions, duplicateClientPolicy,
                    maxInflight, maxQueuedMessages, maxQueuedBytes, queueDropPolicy, maxKeepAliveSeconds,
                    receiveMaximum, topicAliasMaximum, responseInformation, validatePayloadFormat, persistence,
                    persistenceProperties, settings);
        }
    }
}
