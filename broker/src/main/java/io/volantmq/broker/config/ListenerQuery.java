package io.volantmq.broker.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-listener settings in a listener URI's query ({@code ssl://0.0.0.0:8883?tls.clientAuth=required}).
 * Here, not in transport, because the config check reads them too and transport already depends on
 * config (SettingsCatalog): one direction, no package cycle.
 */
public final class ListenerQuery {
    private ListenerQuery() {
    }

    /** The query's settings, percent-decoded; a key without a value is {@code true}. */
    public static Map<String, String> parse(URI uri) {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "true" : decode(pair.substring(eq + 1));
            query.put(key, value);
        }
        return query;
    }

    /** Percent-decoding only: a '+' stays a '+' (URLDecoder alone would make it a space). */
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
