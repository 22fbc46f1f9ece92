package io.volantmq.broker.config;

import io.volantmq.persistence.SettingKeys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.volantmq.broker.config.Setting.bool;
import static io.volantmq.broker.config.Setting.choice;
import static io.volantmq.broker.config.Setting.decimal;
import static io.volantmq.broker.config.Setting.integer;
import static io.volantmq.broker.config.Setting.list;
import static io.volantmq.broker.config.Setting.path;
import static io.volantmq.broker.config.Setting.string;

/**
 * Every {@code volantmq.*} setting, declared once. The loader checks every source against this list,
 * the README and {@code conf/volantmq.conf} are checked against it by tests, and a reload uses it to
 * tell what applies live from what needs a restart. Adding a setting is one line in {@link #ALL}.
 *
 * <p>Four families are open-ended and checked by who owns them: {@code auth.<provider>.<key>} for an
 * auth provider that is not built in (its name must be a provider on the class path),
 * {@code persistence.<backend>.<key>} for a backend that is not built in (its name must be a backend on
 * the class path, which may declare its keys), {@code plugin.<id>.<key>} for a plugin (issue 12: read and
 * checked by the plugin when it starts; from files and {@code -D}, not from the environment),
 * {@code admin.<auth key>}, an auth provider setting for the admin API only, and
 * {@code bridge.<name>.<key>} ({@link #BRIDGE_KEYS}), a bridge's settings.
 */
public final class SettingsCatalog {
    public static final String PREFIX = "volantmq.";
    private static final long INT_MAX = Integer.MAX_VALUE;

    /** In README order; the example file follows it too. */
    public static final List<Setting> ALL = List.of(
            path("config", null, "a configuration file to read (properties: key = value, # comments); relative paths in it resolve against its folder"),
            string("listeners", "tcp://127.0.0.1:1883", "comma-separated scheme://host:port[/path][?settings] listeners: tcp, ssl, ws, wss (port 0 picks a free one); the default is this host only, tcp://0.0.0.0:1883 opens it to the network"),
            string("nodeName", "volantmq", "this node's name (logs, $SYS); in a cluster unique among the nodes"),
            choice("cluster", "none", "redis: this node is one of a cluster sharing one Redis (needs cluster-redis; persistence becomes redis)", "none", "redis"),
            string("cluster.redis.uri", null, "cluster: the shared Redis server (also the store's unless persistence.redis.uri is set)").shownAs("persistence.redis.uri").secret(),
            integer("cluster.livenessTtl", 5, 2, 3600, "cluster: seconds without a heartbeat after which a node is dead (the others take its clients; it disconnects them itself)"),
            integer("cluster.takeoverTimeoutMillis", 2000, 1, 60_000, "cluster: how long a CONNECT waits for the node that held the client id to let it go"),
            integer("cluster.inboxMaxLen", 1_000_000, 1000, Long.MAX_VALUE, "cluster: entries a node's inbox stream keeps (approximate trim; beyond it the oldest unread are lost)"),
            integer("cluster.inboxHighWater", 20_000, 0, Long.MAX_VALUE, "cluster: forwarded entries a node may have not routed yet before the nodes sending to it stop reading from those publishers, until it is down to half (at most inboxMaxLen / 2; 0 = never)"),
            integer("cluster.redis.waitReplicas", 0, 0, 100, "cluster: replicas every store write must reach (WAIT, once per group commit) before PUBACK/PUBREC and the inbox XACK count; fewer: not acknowledged, the client resends; 0 = off"),
            integer("cluster.redis.waitTimeoutMillis", 1000, 1, 60_000, "cluster: how long one WAIT for replicas may take (below persistence.redis.readTimeoutMillis)"),
            choice("logLevel", "INFO", "level of the root logger", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF").live(),
            choice("logFormat", "text", "log layout of conf/logback.xml: text, or json (one JSON object per line)", "text", "json"),
            integer("connectTimeout", 10, 1, 3600, "seconds a new connection has to send CONNECT"),
            integer("maxConnectPacketSize", 65_536, 16, 268_435_460, "largest packet (and WebSocket frame) before a CONNECT is accepted, and the most bytes sent behind it before the CONNACK; at most maxPacketSize").perListener(),
            integer("keepAlive", 60, 0, 65535, "keep-alive (s) applied when forceKeepAlive is on"),
            bool("forceKeepAlive", false, "use keepAlive instead of the client's value (also for clients that ask for 0)"),
            integer("maxPacketSize", 16 * 1024 * 1024, 16, 268_435_460, "largest packet accepted, in bytes; per listener at most the broker's").perListener(),
            integer("maxSessionCount", 0, 0, INT_MAX, "sessions (online + persistent offline); 0 = no limit"),
            integer("maxSessionExpiry", 0xFFFFFFFFL, 1, 0xFFFFFFFFL, "longest a session outlives its connection (s), 3.x persistent sessions included; MQTT 5 clients are told the granted value").shownAs("none"),
            choice("clientIdBinding", "off", "username: a client id whose session belongs to a user may be used only by that user (else CONNACK 0x85 / 0x02)", "off", "username"),
            bool("offlineQoS0", false, "queue QoS 0 messages for offline persistent sessions too"),
            bool("allowOverlappingSubscriptions", false, "deliver a message once per matching subscription instead of once at the highest QoS"),
            choice("duplicateClientId", "takeover", "takeover: a new connection closes the old one; refuse: the newcomer gets CONNACK 0x02", "takeover", "refuse"),
            integer("maxInflight", 64, 1, 65535, "outbound QoS 1/2 messages awaiting acknowledgement per session"),
            integer("maxQueuedMessages", 10_000, 1, INT_MAX, "queued messages per session"),
            integer("maxQueuedBytes", 64L * 1024 * 1024, 1, Long.MAX_VALUE, "queued payload bytes per session"),
            choice("queueDropPolicy", "oldest", "when a queue is full: drop its oldest unsent message, or the newest (incoming) one", "oldest", "newest"),
            integer("maxKeepAlive", 0, 0, 65535, "MQTT 5: largest keep-alive accepted (0 = no limit)"),
            integer("receiveMaximum", 64, 1, 65535, "MQTT 5: unacknowledged QoS 2 PUBLISHes a client may have towards the broker (over it: DISCONNECT 0x93)"),
            integer("receiveMaximumV3", 1024, 1, 65535, "MQTT 3.x: unreleased inbound QoS 2 packet ids a client may hold (over it: closed)"),
            integer("topicAliasMaximum", 10, 0, 65535, "MQTT 5: topic aliases a client may use towards the broker"),
            bool("outboundTopicAliases", true, "MQTT 5: send topic aliases to clients that allow them"),
            integer("outboundTopicAliasMaximum", 256, 1, 65535, "MQTT 5: most topic aliases the broker uses per connection (least recently used topic gives up its alias)"),
            integer("maxTopicLevels", 128, 1, 65535, "levels a topic name, will topic or topic filter may have"),
            integer("maxSubscriptionsPerClient", 1000, 0, INT_MAX, "subscriptions one session may hold (0 = no limit; over it: SUBACK 0x97 / 0x80)"),
            integer("maxFiltersPerSubscribe", 128, 1, 65535, "topic filters handled in one SUBSCRIBE (the rest: SUBACK 0x97 / 0x80)"),
            integer("maxRetainedMessages", 1_000_000, 0, Long.MAX_VALUE, "retained messages held broker-wide, $SYS not counted (0 = no limit)"),
            integer("maxRetainedBytes", 256L * 1024 * 1024, 0, Long.MAX_VALUE, "payload + topic + properties bytes of retained messages (0 = no limit)"),
            integer("unwritableTimeout", 60, 0, 86_400, "seconds a connection may stay over its write-buffer high-water mark (it does not read) before it is closed (0 = never)"),
            string("responseInformation", null, "MQTT 5: Response Information for clients that request it"),
            bool("validatePayloadFormat", false, "MQTT 5: refuse payloads marked UTF-8 that are not (0x99)"),
            integer("sharedAckTimeout", 30, 1, 86_400, "seconds a shared-subscription message may stay unacknowledged before it goes to another member"),
            string("serverReference", null, "MQTT 5: refuse every CONNECT with 0x9C (0x9D with serverMoved) and this Server Reference"),
            bool("serverMoved", false, "with serverReference: the server moved for good (0x9D) rather than for now (0x9C)"),
            integer("ioThreads", 0, 1, 4096, "event loops for client connections").shownAs("cores usable by the process"),
            bool("epoll", true, "the native epoll transport on Linux (NIO elsewhere or with false)"),
            string("persistence", null, "storage backend name; unset: the only durable backend on the class path, else memory").shownAs("automatic"),
            bool("persistence.buffer", false, "acknowledge at once and write behind in batches (a crash loses at most one interval)"),
            integer("persistence.buffer.syncIntervalMs", 1000, 1, 3_600_000, "milliseconds between write-behind batches"),
            integer("store.lanes", -1, -1, 64, "store threads durable store writes and acknowledgements go through, off the event loops; 0: inline").shownAs("the store's maxConcurrency, at most 4"),
            integer("store.laneBacklog", 8_192, 1, INT_MAX, "packets a store lane holds before the connections feeding it stop reading"),
            path("persistence.rocksdb.path", "data/rocksdb", "rocksdb: the directory"),
            bool("persistence.rocksdb.fsync", true, "rocksdb: sync every write to disk before acknowledging"),
            choice("persistence.rocksdb.commit", "group", "rocksdb: group syncs many changes at once; each syncs every change", "group", "each"),
            path("persistence.mapdb.path", "data/volantmq.mapdb", "mapdb: the file"),
            choice("persistence.mapdb.commit", "group", "mapdb: group commits many changes at once; each commits every change", "group", "each"),
            path("persistence.sqlite.path", "data/volantmq.db", "sqlite: the file"),
            choice("persistence.sqlite.synchronous", "FULL", "sqlite: FULL survives power loss; NORMAL a process crash; EXTRA also syncs the directory", "FULL", "NORMAL", "EXTRA"),
            choice("persistence.sqlite.commit", "group", "sqlite: group syncs many changes at once; each syncs every commit", "group", "each"),
            string("persistence.redis.uri", "redis://127.0.0.1:6379/0", "redis: the server, user and password may be in it; rediss:// for TLS").secret(),
            integer("persistence.redis.poolSize", 8, 1, INT_MAX, "redis: connections"),
            string("persistence.redis.keyPrefix", "volantmq:", "redis: prefix of every key, so brokers can share a database"),
            integer("persistence.redis.connectTimeoutMillis", 2000, 1, INT_MAX, "redis: connect timeout"),
            integer("persistence.redis.readTimeoutMillis", 2000, 1, INT_MAX, "redis: read timeout"),
            choice("persistence.redis.commit", "group", "redis: group sends the message store's writes per sync in one MULTI/EXEC; each sends every write at once", "group", "each"),
            integer("persistence.redis.waitReplicas", 0, 0, 100, "redis: replicas each flush and each other write must reach (WAIT) before it counts as made; 0 = off"),
            integer("persistence.redis.waitTimeoutMillis", 1000, 1, INT_MAX, "redis: how long one WAIT may take (below readTimeoutMillis)"),
            path("tls.certFile", null, "PEM certificate chain, leaf first (required for ssl and wss)").perListener(),
            path("tls.keyFile", null, "PEM PKCS#8 private key").perListener(),
            string("tls.keyPassword", null, "password of an encrypted tls.keyFile").perListener().secret(),
            path("tls.caFile", null, "PEM CA certificates that client certificates must chain to").perListener(),
            choice("tls.clientAuth", "none", "none, optional (checked if sent) or required client certificates", "none", "optional", "required").perListener(),
            list("tls.protocols", "TLSv1.3,TLSv1.2", "enabled TLS versions").perListener(),
            list("tls.ciphers", null, "cipher suites, JDK names (default: the provider's)").perListener(),
            integer("tls.handshakeTimeout", 10, 1, 3600, "seconds a TLS handshake may take").perListener(),
            choice("tls.provider", "auto", "auto (OpenSSL when it loads, else the JDK), openssl or jdk", "auto", "openssl", "jdk").perListener(),
            list("ws.allowedOrigins", null, "WebSocket: Origins allowed to connect (unset: any; others get HTTP 403)").perListener(),
            bool("proxy", false, "every connection starts with a PROXY protocol v1 or v2 header").perListener(),
            integer("maxConnections", 0, 0, INT_MAX, "open connections: broker-wide on all listeners, in a listener's query on that one (0 = no limit)").perListener(),
            decimal("connectRate", 0, 0, Double.MAX_VALUE, "new connections per second per listener (0 = no limit)").perListener(),
            decimal("publishRate", 0, 0, Double.MAX_VALUE, "PUBLISH packets per second per connection (0 = no limit)").perListener(),
            integer("bandwidth", 0, 0, Long.MAX_VALUE, "inbound MQTT bytes per second per connection (0 = no limit)").perListener(),
            integer("reloadIntervalMillis", 2000, 0, 86_400_000, "how often certificate, key, password and ACL files are checked for changes (0: only on reload)"),
            list("auth", "anonymous", "the chain of auth providers, in order").perListener(),
            bool("auth.anonymous.onlyWithoutCredentials", false, "anonymous abstains for clients that send a user name or password").perListener(),
            path("auth.file.path", null, "the password file of the file provider (reloaded when it changes)").perListener(),
            choice("auth.certificate.username", "cn", "the user name a client certificate gives: its CN or the whole subject (dn)", "cn", "dn").perListener(),
            integer("auth.threads", 1, 1, 256, "threads that hash passwords").shownAs("half the cores"),
            integer("auth.queue", 1000, 1, 1_000_000, "password checks waiting; beyond it clients are refused as server busy"),
            integer("maxLoginFailures", 10, 0, 1_000_000, "refused logins from one address within loginFailureWindow before its CONNECTs are refused (0x9F / 0x03) for one window (0 = off)"),
            integer("loginFailureWindow", 60, 1, 86_400, "seconds in which failed logins add up, and how long a block lasts"),
            integer("maxLoginAddresses", 10_000, 1, 10_000_000, "addresses the failed-login limiter remembers"),
            list("acl", null, "authorization chain: ids of plugins with authorizers, then file (the ACL file) last; unset: every plugin authorizer in load order, then the file").perListener(),
            path("acl.file", null, "ACL file in Mosquitto's syntax (reloaded when it changes); unset: everything allowed"),
            list("plugins", null, "ids of the plugins to start, in this order (plugins whose manifest says VolantMQ-Plugin-Enabled: true start too, after them)"),
            bool("plugins.required", false, "refuse to start when a plugin cannot be loaded or its start fails (else the broker starts without it)"),
            path("pluginsDir", "plugins", "the folder whose jars and folders are plugins, each with its own class loader"),
            integer("plugins.timeoutMillis", 2000, 1, 600_000, "longest a blocking plugin hook (interceptor, authorizer, authenticator) may take; then plugins.failureAction applies"),
            choice("plugins.failureAction", "continue", "a hook that throws or times out: continue as if it had not been asked, or refuse (PUBLISH dropped 0x80, SUBSCRIBE 0x80, CONNECT 0x88)", "continue", "refuse"),
            integer("plugins.threads", 4, 1, 256, "threads of each plugin's executor (its blocking hooks and work)"),
            integer("plugins.queue", 10_000, 1, 10_000_000, "tasks and events waiting per plugin; beyond it they are refused and counted"),
            bool("withSystree", true, "publish the $SYS/broker/... tree"),
            integer("systreeUpdateInterval", 10, 1, 86_400, "seconds between $SYS updates"),
            string("adminAddr", null, "host:port of the admin HTTP endpoint; unset: off"),
            path("adminServerCert", null, "PEM certificate chain: the admin endpoint speaks HTTPS"),
            path("adminServerKey", null, "PKCS#8 key of adminServerCert"),
            string("adminServerKeyPassword", null, "password of an encrypted adminServerKey").secret(),
            string("adminToken", null, "Authorization: Bearer <token> opens the admin API").secret(),
            list("adminAuth", null, "auth providers that check Basic credentials of the admin API"),
            list("adminUsers", null, "user names that may use the admin API through adminAuth"),
            list("bridges", null, "names of the bridges to other brokers; each is configured by bridge.<name>.* (needs the bridge module on the class path)")
    );

    /**
     * The keys of the {@code bridge.<name>.<key>} family (checked by the bridge module, documented in
     * docs/bridge.md); {@code topic.<n>} rules are numbered.
     */
    public static final Set<String> BRIDGE_KEYS = Set.of("address", "protocol", "clientId", "cleanStart",
            "sessionExpiry", "keepAlive", "username", "password", "tls.caFile", "tls.certFile", "tls.keyFile",
            "tls.keyPassword", "tls.hostnameCheck", "tls.serverName", "inflight", "reconnectMin", "reconnectMax",
            "connectTimeout", "maxQueuedMessages", "maxQueuedBytes", "queueDropPolicy");

    /** Whether {@code key} (the part after {@code bridge.<name>.}) is a bridge setting. */
    public static boolean bridgeKey(String key) {
        return BRIDGE_KEYS.contains(key) || key.matches("topic\\.[0-9]{1,4}");
    }

    private static final Map<String, Setting> BY_KEY = index();

    /** Environment variables the launcher and the JVM use, which are not settings. */
    public static final List<String> LAUNCHER_ENV = List.of("VOLANTMQ_JAVA_OPTS", "VOLANTMQ_NO_BUILD", "VOLANTMQ_CWD",
            "VOLANTMQ_HOME", "VOLANTMQ_CONF_DIR", "VOLANTMQ_ADMIN_URL", "VOLANTMQ_ADMIN_PASSWORD");

    private SettingsCatalog() {
    }

    private static Map<String, Setting> index() {
        Map<String, Setting> m = new LinkedHashMap<>();
        for (Setting s : ALL) {
            if (m.put(s.key(), s) != null) {
                throw new IllegalStateException("setting declared twice: " + s.key());
            }
        }
        return Map.copyOf(m);
    }

    /** The declaration of {@code key} (without the prefix). */
    public static Optional<Setting> find(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** Whether a listener URI's query may carry {@code key}. */
    public static boolean perListener(String key) {
        Setting s = BY_KEY.get(key);
        return s != null ? s.overridable() : key.startsWith("auth.") && key.length() > 5;
    }

    /** {@code maxInflight} -> {@code VOLANTMQ_MAX_INFLIGHT}, {@code tls.certFile} -> {@code VOLANTMQ_TLS_CERT_FILE}. */
    public static String envName(String key) {
        StringBuilder b = new StringBuilder("VOLANTMQ_");
        char prev = '.';
        for (char c : key.toCharArray()) {
            if (c == '.' || c == '-') {
                b.append('_');
            } else {
                if (Character.isUpperCase(c) && (Character.isLowerCase(prev) || Character.isDigit(prev))) {
                    b.append('_');
                }
                b.append(Character.toUpperCase(c));
            }
            prev = c;
        }
        return b.toString();
    }

    /** The declared key closest to {@code key} by edit distance, when close enough to be a typo. */
    public static Optional<String> closest(String key, List<String> candidates) {
        // the same rule the persistence backends use for their own keys, so both answers agree
        return SettingKeys.closest(key, candidates);
    }

    /** Declared keys, in order. */
    public static List<String> keys() {
        List<String> keys = new ArrayList<>(ALL.size());
        ALL.forEach(s -> keys.add(s.key()));
        return keys;
    }
}
