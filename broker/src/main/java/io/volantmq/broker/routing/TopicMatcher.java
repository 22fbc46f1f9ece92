package io.volantmq.broker.routing;

/** Matches one topic filter against one topic name, with the rules {@link SubscriptionTree} applies. */
public final class TopicMatcher {
    private TopicMatcher() {
    }

    public static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false; // [MQTT-4.7.2-1]
        }
        String[] f = SubscriptionTree.levels(filter);
        String[] t = SubscriptionTree.levels(topic);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true; // also matches the parent level: "a/#" matches "a"
            }
            if (i >= t.length || (!f[i].equals("+") && !f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
