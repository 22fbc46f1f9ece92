package io.volantmq.broker.routing;

/** Matches one topic filter against one topic name, with the rules {@link SubscriptionTree} applies. */
public final class TopicMatcher {
    private TopicMatcher() {
    }

    /** Walks both strings level by level without splitting them: it runs once per retained message per SUBSCRIBE. */
    public static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false; // [MQTT-4.7.2-1]
        }
        int f = 0;
        int t = 0;
        while (true) {
            int fEnd = end(filter, f);
            int fLen = fEnd - f;
            if (fLen == 1 && filter.charAt(f) == '#') {
                return true; // also matches the parent level: "a/#" matches "a"
            }
            int tEnd = end(topic, t);
            boolean single = fLen == 1 && filter.charAt(f) == '+';
            if (!single && (fLen != tEnd - t || !filter.regionMatches(f, topic, t, fLen))) {
                return false;
            }
            boolean filterDone = fEnd == filter.length();
            boolean topicDone = tEnd == topic.length();
            if (filterDone || topicDone) {
                // "a/#" also matches "a": the filter's next and last level may be "#"
                return filterDone ? topicDone : filter.length() - fEnd == 2 && filter.endsWith("/#");
            }
            f = fEnd + 1;
            t = tEnd + 1;
        }
    }

    /** Index of the '/' ending the level that starts at {@code from}, or the length. */
    private static int end(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
