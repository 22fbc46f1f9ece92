package io.volantmq.broker.auth;

/**
 * One ACL line: an access and a topic filter, split into levels. Pattern rules keep their
 * {@code %u} / {@code %c} placeholders until {@link AclRules#forClient} substitutes them.
 *
 * @param access what the rule grants or denies
 * @param levels the filter's levels ({@code a/+/#} is {@code [a, +, #]})
 * @param line   where it was written, for diagnostics
 */
record AclRule(Access access, String[] levels, int line) {

    enum Access {
        READ, WRITE, READWRITE, DENY;

        boolean grantsRead() {
            return this == READ || this == READWRITE;
        }

        boolean grantsWrite() {
            return this == WRITE || this == READWRITE;
        }
    }

    /** Splits a topic or filter into levels, keeping empty ones ({@code a//b} has three). */
    static String[] split(String topic) {
        return topic.split("/", -1);
    }

    /**
     * Whether {@code filter} matches the topic name {@code topic} by the spec's rules (4.7), including
     * that a filter starting with a wildcard does not match a topic starting with {@code $} [MQTT-4.7.2-1].
     */
    static boolean matches(String[] filter, String[] topic) {
        if (topic[0].startsWith("$") && isWildcard(filter[0])) {
            return false;
        }
        for (int i = 0; i < filter.length; i++) {
            String f = filter[i];
            if (f.equals("#")) {
                return true; // also matches the parent level: a/# matches a
            }
            if (i >= topic.length) {
                return false;
            }
            if (!f.equals("+") && !f.equals(topic[i])) {
                return false;
            }
        }
        return filter.length == topic.length;
    }

    /**
     * Whether every topic the subscription filter {@code filter} can match is matched by the rule
     * filter {@code rule}: a subscription to {@code a/#} needs a rule like {@code a/#} or {@code #},
     * not {@code a/b}.
     */
    static boolean covers(String[] rule, String[] filter) {
        if (filter[0].startsWith("$") && isWildcard(rule[0])) {
            return false;
        }
        for (int i = 0; i < rule.length; i++) {
            String r = rule[i];
            if (r.equals("#")) {
                return true;
            }
            if (i >= filter.length) {
                return false;
            }
            String f = filter[i];
            if (f.equals("#")) {
                return false; // the filter reaches deeper than a rule without # allows
            }
            if (r.equals("+")) {
                continue; // covers one level, literal or +
            }
            if (f.equals("+") || !r.equals(f)) {
                return false;
            }
        }
        return rule.length == filter.length;
    }

    private static boolean isWildcard(String level) {
        return level.equals("+") || level.equals("#");
    }
}
