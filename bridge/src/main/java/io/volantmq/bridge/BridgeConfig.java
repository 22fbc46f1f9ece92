package io.volantmq.bridge;

import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.protocol.ProtocolVersion;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One bridge's settings, {@code volantmq.bridge.<name>.*}, read once at start; bad values fail the
 * start with the key named.
 *
 * @param addresses      remote brokers in failover order
 * @param sessionExpiry  MQTT 5 session expiry asked of the remote (s); 3.1.1: clean session false is persistent
 * @param inflight       outbound QoS 1/2 messages awaiting the remote's acknowledgement (at most its Receive Maximum)
 */
public record BridgeConfig(String name, List<URI> addresses, ProtocolVersion protocol, String clientId,
                           boolean cleanStart, long sessionExpiry, int keepAlive, String username, String password,
                           Tls tls, int inflight, long reconnectMinMillis, long reconnectMaxMillis,
                           int connectTimeoutSeconds, List<TopicRule> rules, Queue queue) {

    /** The bridge queue's own bounds; null: the broker's per-session bounds apply. */
    public record Queue(int maxMessages, long maxBytes, String dropPolicy) {
    }

    /** TLS towards the remote: trust ({@code caFile}, else the JDK's), client certificate, SNI and host check. */
    public record Tls(Path caFile, Path certFile, Path keyFile, String keyPassword, boolean hostnameCheck,
                      String serverName) {
    }

    /** The client id of the bridge's queue in the local store: reserved, never a client's. */
    public String localClientId() {
        return "$bridge/" + name;
    }

    public static List<BridgeConfig> all(Map<String, String> settings) {
        Settings s = Settings.global(settings);
        String names = s.get("bridges");
        List<BridgeConfig> out = new ArrayList<>();
        if (names == null) {
            return out;
        }
        for (String n : names.split(",")) {
            String name = n.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("volantmq.bridges: bridge name '" + name
                        + "' may hold only letters, digits, '_' and '-'");
            }
            if (out.stream().anyMatch(b -> b.name().equals(name))) {
                throw new IllegalArgumentException("volantmq.bridges: '" + name + "' is listed twice");
            }
            out.add(parse(name, settings));
        }
        return out;
    }

    static BridgeConfig parse(String name, Map<String, String> settings) {
        Settings s = Settings.global(settings);
        String p = "bridge." + name + ".";
        String address = s.get(p + "address");
        if (address == null) {
            throw s.missing(p + "address", "the remote broker(s) of bridge " + name);
        }
        List<URI> addresses = new ArrayList<>();
        for (String a : address.split(",")) {
            addresses.add(address(p + "address", a.trim()));
        }
        ProtocolVersion protocol = s.choice(p + "protocol", "5", "3.1.1", "5").equals("5")
                ? ProtocolVersion.MQTT_5 : ProtocolVersion.MQTT_3_1_1;
        String clientId = s.string(p + "clientId", s.string("nodeName", "volantmq") + "-bridge-" + name);
        long min = s.longValue(p + "reconnectMin", 1000, 10, 3_600_000);
        long max = s.longValue(p + "reconnectMax", 60_000, 10, 86_400_000);
        if (max < min) {
            throw s.bad(p + "reconnectMax", Long.toString(max), "at least reconnectMin (" + min + ")");
        }
        Tls tls = new Tls(file(s, p + "tls.caFile"), file(s, p + "tls.certFile"), file(s, p + "tls.keyFile"),
                s.get(p + "tls.keyPassword"), s.bool(p + "tls.hostnameCheck", true), s.get(p + "tls.serverName"));
        if ((tls.certFile() == null) != (tls.keyFile() == null)) {
            throw s.missing(p + (tls.certFile() == null ? "tls.certFile" : "tls.keyFile"),
                    "a client certificate needs both tls.certFile and tls.keyFile");
        }
        Map<Integer, TopicRule> rules = new TreeMap<>();
        String topicPrefix = p + "topic.";
        settings.forEach((k, v) -> {
            String key = k.startsWith("volantmq.") ? k.substring("volantmq.".length()) : k;
            if (key.startsWith(topicPrefix) && key.substring(topicPrefix.length()).matches("[0-9]{1,4}")) {
                rules.put(Integer.parseInt(key.substring(topicPrefix.length())), TopicRule.parse(key, v));
            }
        });
        if (rules.isEmpty()) {
            throw s.missing(topicPrefix + "1", "bridge " + name + " has no topic rule");
        }
        return new BridgeConfig(name, List.copyOf(addresses), protocol, clientId,
                s.bool(p + "cleanStart", false), s.longValue(p + "sessionExpiry", 86_400, 0, 0xFFFFFFFFL),
                s.integer(p + "keepAlive", 60, 1, 65535), s.get(p + "username"), s.get(p + "password"), tls,
                s.integer(p + "inflight", 64, 1, 65535), min, max, s.integer(p + "connectTimeout", 10, 1, 3600),
                List.copyOf(rules.values()), queue(s, p));
    }

    private static Queue queue(Settings s, String p) {
        if (s.get(p + "maxQueuedMessages") == null && s.get(p + "maxQueuedBytes") == null
                && s.get(p + "queueDropPolicy") == null) {
            return null;
        }
        Settings broker = s;
        return new Queue(s.integer(p + "maxQueuedMessages", broker.integer("maxQueuedMessages", 10_000, 1,
                        Integer.MAX_VALUE), 1, Integer.MAX_VALUE),
                s.longValue(p + "maxQueuedBytes", broker.longValue("maxQueuedBytes", 64L * 1024 * 1024, 1,
                        Long.MAX_VALUE), 1, Long.MAX_VALUE),
                s.choice(p + "queueDropPolicy", broker.choice("queueDropPolicy", "oldest", "oldest", "newest"),
                        "oldest", "newest"));
    }

    private static URI address(String key, String text) {
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("volantmq." + key + ": '" + text + "' is not a URI");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!List.of("tcp", "ssl", "ws", "wss").contains(scheme) || uri.getHost() == null || uri.getPort() <= 0) {
            throw new IllegalArgumentException("volantmq." + key + ": '" + text
                    + "' is not tcp://|ssl://|ws://|wss://host:port");
        }
        return uri;
    }

    private static Path file(Settings s, String key) {
        String v = s.get(key);
        if (v == null) {
            return null;
        }
        Path path = Path.of(v);
        if (!Files.isReadable(path)) {
            throw s.bad(key, v, "a readable file");
        }
        return path;
    }
}
