package io.volantmq.broker.transport;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.config.ListenerQuery;
import io.volantmq.broker.config.Setting;
import io.volantmq.broker.config.SettingsCatalog;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;

/**
 * One listener, parsed from its URI and the broker-wide settings:
 * {@code scheme://host:port[/path][?key=value&...]}. The query overrides, for this listener only, any
 * broker-wide {@code volantmq.<key>} setting ({@code ssl://0.0.0.0:8883?tls.clientAuth=required&auth=certificate}).
 *
 * @param uri            as configured
 * @param publicUri      without the query (which may name files): what logs and ACLs see
 * @param transport      tcp, ssl, ws or wss
 * @param path           the WebSocket path ({@code /mqtt} when the URI has none); null for tcp and ssl
 * @param proxy          a PROXY protocol v1/v2 header precedes every connection ({@code ?proxy=true})
 * @param maxConnections open connections on this listener, 0 = no limit ({@code ?maxConnections=})
 * @param connectRate    new connections per second on this listener, 0 = no limit
 * @param maxPacketSize  the largest MQTT packet accepted on this listener (also bounds WebSocket frames)
 * @param publishRate    PUBLISH packets per second per connection, 0 = no limit
 * @param bandwidth      inbound MQTT bytes per second per connection, 0 = no limit
 * @param settings       every setting as this listener sees it (TLS, auth providers)
 */
public record ListenerSpec(URI uri, URI publicUri, Transport transport, String host, int port, String path,
                           boolean proxy, int maxConnections, double connectRate, int maxPacketSize,
                           double publishRate, long bandwidth, Settings settings) {

    public static final String DEFAULT_WS_PATH = "/mqtt";
    /** The default largest packet before the CONNECT is accepted. */
    public static final int DEFAULT_MAX_CONNECT_PACKET_SIZE = 64 * 1024;

    public static ListenerSpec parse(URI uri, BrokerConfig config) {
        Transport transport = Transport.of(uri.getScheme());
        if (transport == null) {
            throw new IllegalArgumentException("listener " + uri + ": scheme '" + uri.getScheme()
                    + "' is not supported; supported: " + Arrays.stream(Transport.values()).map(Transport::scheme)
                    .toList() + " (volantmq.listeners)");
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("listener " + uri + " needs a host and a port, e.g. "
                    + transport.scheme() + "://0.0.0.0:" + (transport.tls() ? "8883" : "1883"));
        }
        String rawPath = uri.getPath();
        String path = null;
        if (transport.webSocket()) {
            path = rawPath == null || rawPath.isEmpty() || rawPath.equals("/") ? DEFAULT_WS_PATH : rawPath;
        } else if (rawPath != null && !rawPath.isEmpty() && !rawPath.equals("/")) {
            throw new IllegalArgumentException("listener " + uri + ": only ws and wss listeners have a path");
        }
        URI publicUri = URI.create(transport.scheme() + "://" + uri.getRawAuthority()
                + (path == null ? "" : path));
        Map<String, String> query = query(uri);
        for (String key : query.keySet()) {
            if (!SettingsCatalog.perListener(key)) { // the catalogue says which settings a listener may override
                throw new IllegalArgumentException("listener " + publicUri + ": unknown setting '" + key
                        + "'; known: " + SettingsCatalog.ALL.stream().filter(Setting::overridable).map(Setting::key)
                        .toList() + ", auth.<provider>.*");
            }
        }
        Settings s = new Settings(query, config.settings(), "listener " + publicUri);
        int maxPacketSize = s.integer("maxPacketSize", config.maxPacketSize(), 16, config.maxPacketSize());
        // maxConnections broker-wide is the overall limit: a listener's own comes only from its URI
        int maxConnections = new Settings(query, Map.of(), s.where()).integer("maxConnections", 0, 0,
                Integer.MAX_VALUE);
        if (transport.tls() && s.get("tls.certFile") == null) {
            throw s.missing("tls.certFile", "a " + transport.scheme() + " listener needs a certificate chain (PEM)");
        }
        ListenerSpec spec = new ListenerSpec(uri, publicUri, transport, uri.getHost(), uri.getPort(), path,
                s.bool("proxy", false), maxConnections, s.decimal("connectRate", 0), maxPacketSize,
                s.decimal("publishRate", 0), s.longValue("bandwidth", 0, 0, Long.MAX_VALUE), s);
        spec.maxConnectPacketSize(); // a bad value fails at start
        return spec;
    }

    /**
     * The largest packet accepted until a CONNECT is authenticated ({@code maxConnectPacketSize}, at most
     * maxPacketSize): an unauthenticated peer cannot make the broker buffer a 16 MiB body. It also bounds
     * the bytes a client may send behind its CONNECT before the CONNACK [MQTT 3.1.4].
     */
    public int maxConnectPacketSize() {
        return settings.integer("maxConnectPacketSize", Math.min(DEFAULT_MAX_CONNECT_PACKET_SIZE, maxPacketSize),
                16, maxPacketSize);
    }

    /** The query's settings, percent-decoded; a key without a value is {@code true} (see {@link ListenerQuery}). */
    public static Map<String, String> query(URI uri) {
        return ListenerQuery.parse(uri);
    }

    /** For log lines: {@code ssl://0.0.0.0:8883}. */
    @Override
    public String toString() {
        return publicUri.toString();
    }
}
