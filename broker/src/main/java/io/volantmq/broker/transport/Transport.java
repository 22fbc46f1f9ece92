package io.volantmq.broker.transport;

import java.util.Locale;

/** What carries MQTT on a listener: the URI scheme. */
public enum Transport {
    TCP("tcp", false, false),
    SSL("ssl", true, false),
    WS("ws", false, true),
    WSS("wss", true, true);

    private final String scheme;
    private final boolean tls;
    private final boolean webSocket;

    Transport(String scheme, boolean tls, boolean webSocket) {
        this.scheme = scheme;
        this.tls = tls;
        this.webSocket = webSocket;
    }

    public String scheme() {
        return scheme;
    }

    public boolean tls() {
        return tls;
    }

    public boolean webSocket() {
        return webSocket;
    }

    /** The transport of a URI scheme, or null. */
    public static Transport of(String scheme) {
        if (scheme == null) {
            return null;
        }
        String s = scheme.toLowerCase(Locale.ROOT);
        for (Transport t : values()) {
            if (t.scheme.equals(s)) {
                return t;
            }
        }
        return null;
    }
}
