package io.volantmq.broker.protocol;

/** Topic name and topic filter syntax (spec 4.7). */
public final class Topics {
    private Topics() {
    }

    public static final String SHARE_PREFIX = "$share/";

    /**
     * A topic name a PUBLISH may carry: no wildcards [MQTT-3.3.2-2], no U+0000 [MQTT-4.7.3-2].
     * Emptiness is checked by the caller (MQTT 5 allows it with a topic alias) [MQTT-4.7.3-1].
     */
    public static boolean isValidTopicName(String topic) {
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A topic filter a SUBSCRIBE may carry: not empty [MQTT-4.7.3-1], {@code #} only last and alone in
     * its level [MQTT-4.7.1-2], {@code +} alone in its level [MQTT-4.7.1-3], no U+0000.
     * {@code $share/{group}/{filter}} needs a group without wildcards and a valid filter [MQTT-4.8.2-1/2].
     */
    public static boolean isValidFilter(String filter) {
        if (filter.isEmpty()) {
            return false;
        }
        if (filter.startsWith(SHARE_PREFIX)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            if (slash < 0) {
                return false;
            }
            String group = filter.substring(SHARE_PREFIX.length(), slash);
            if (group.isEmpty() || group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
                return false;
            }
            return isValidPlainFilter(filter.substring(slash + 1));
        }
        return isValidPlainFilter(filter);
    }

    /** A filter without the shared-subscription reading (MQTT 3.x, where {@code $share} is a plain level). */
    public static boolean isValidPlainFilter(String filter) {
        int length = filter.length();
        if (length == 0) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = filter.charAt(i);
            if (c == 0) {
                return false;
            }
            boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
            boolean levelEnd = i == length - 1 || filter.charAt(i + 1) == '/';
            if (c == '#' && (!levelStart || i != length - 1)) {
                return false;
            }
            if (c == '+' && (!levelStart || !levelEnd)) {
                return false;
            }
        }
        return true;
    }

    public static boolean isShared(String filter) {
        return filter.startsWith(SHARE_PREFIX);
    }

    public static boolean hasWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }

    /** A topic or filter fit for a log line: a client may send 64 KiB of it. */
    public static String abbreviate(String topic) {
        if (topic.length() <= 100) {
            return "'" + topic + "'";
        }
        int levels = 1;
        for (int i = 0; i < topic.length(); i++) {
            if (topic.charAt(i) == '/') {
                levels++;
            }
        }
        return "'" + topic.substring(0, 100) + "...' (" + topic.length() + " characters, " + levels + " levels)";
    }
}
