package io.volantmq.broker.auth;

import java.util.Map;

/**
 * The {@code volantmq.*} settings as one listener sees them: a key given in the listener URI's query
 * ({@code ssl://0.0.0.0:8883?tls.clientAuth=required}) wins over the broker-wide property of the same
 * name with the {@code volantmq.} prefix ({@code -Dvolantmq.tls.clientAuth=optional}). Keys here never
 * carry the prefix. Bad values fail with the key and where it came from named.
 *
 * @param listener the listener's URI query parameters (empty for broker-wide lookups)
 * @param global   broker-wide settings, keys without the {@code volantmq.} prefix
 * @param where    the listener, for error messages
 */
public record Settings(Map<String, String> listener, Map<String, String> global, String where) {
    public Settings {
        listener = Map.copyOf(listener);
        global = Map.copyOf(global);
    }

    /** Broker-wide settings only. */
    public static Settings global(Map<String, String> global) {
        return new Settings(Map.of(), global, "broker");
    }

    /** The value, or null when neither the listener nor the broker sets it (blank counts as unset). */
    public String get(String key) {
        String v = listener.get(key);
        if (v == null || v.isBlank()) {
            v = global.get(key);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    public String string(String key, String def) {
        String v = get(key);
        return v == null ? def : v;
    }

    public long longValue(String key, long def, long min, long max) {
        return parseLong(key, get(key), def, min, max);
    }

    public int integer(String key, int def, int min, int max) {
        return (int) longValue(key, def, min, max);
    }

    public double decimal(String key, double def) {
        String v = get(key);
        if (v == null) {
            return def;
        }
        try {
            double d = Double.parseDouble(v);
            if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw bad(key, v, "a number >= 0");
        }
    }

    public boolean bool(String key, boolean def) {
        String v = get(key);
        if (v == null) {
            return def;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw bad(key, v, "true or false");
    }

    /** One of {@code choices} (lower case), case-insensitive. */
    public String choice(String key, String def, String... choices) {
        String v = get(key);
        if (v == null) {
            return def;
        }
        for (String c : choices) {
            if (c.equalsIgnoreCase(v)) {
                return c;
            }
        }
        throw bad(key, v, "one of " + String.join(", ", choices));
    }

    long parseLong(String key, String v, long def, long min, long max) {
        if (v == null) {
            return def;
        }
        try {
            long n = Long.parseLong(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(key, v, "a whole number in " + min + ".." + max);
        }
    }

    /** An error naming the key as an operator would write it, in the URI and as a property. */
    public IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException(where + ": " + key + " (volantmq." + key + " or ?" + key + "= on the listener) must be "
                + expected + ", got '" + value + "'");
    }

    public IllegalArgumentException missing(String key, String why) {
        return new IllegalArgumentException(where + ": " + why + "; set volantmq." + key + " or ?" + key
                + "= on the listener URI");
    }
}
