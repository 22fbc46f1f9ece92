package io.volantmq.bridge;

import io.volantmq.broker.routing.TopicMatcher;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code topic.<n>} rule, in Mosquitto's form {@code PATTERN out|in|both QOS [LOCAL_PREFIX [REMOTE_PREFIX]]}:
 * the local filter is {@code LOCAL_PREFIX + PATTERN}, the remote one {@code REMOTE_PREFIX + PATTERN}, and a
 * topic crossing the bridge swaps the one prefix for the other. {@code ""} is an empty prefix.
 */
public record TopicRule(String pattern, Direction direction, int qos, String localPrefix, String remotePrefix) {

    public enum Direction {
        OUT, IN, BOTH;

        boolean out() {
            return this != IN;
        }

        boolean in() {
            return this != OUT;
        }
    }

    public String localFilter() {
        return localPrefix + pattern;
    }

    public String remoteFilter() {
        return remotePrefix + pattern;
    }

    /** The remote topic of a local one this rule matches, or null. */
    public String toRemote(String localTopic) {
        if (!direction.out() || !localTopic.startsWith(localPrefix) || !TopicMatcher.matches(localFilter(), localTopic)) {
            return null;
        }
        return remotePrefix + localTopic.substring(localPrefix.length());
    }

    /** The local topic of a remote one this rule matches, or null. */
    public String toLocal(String remoteTopic) {
        if (!direction.in() || !remoteTopic.startsWith(remotePrefix)
                || !TopicMatcher.matches(remoteFilter(), remoteTopic)) {
            return null;
        }
        return localPrefix + remoteTopic.substring(remotePrefix.length());
    }

    /** Parses a rule; {@code key} names it in the error. */
    public static TopicRule parse(String key, String text) {
        List<String> words = words(text);
        if (words.size() < 3 || words.size() > 5) {
            throw new IllegalArgumentException("volantmq." + key + ": '" + text
                    + "' is not 'PATTERN out|in|both QOS [LOCAL_PREFIX [REMOTE_PREFIX]]'");
        }
        Direction direction;
        try {
            direction = Direction.valueOf(words.get(1).toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("volantmq." + key + ": direction '" + words.get(1)
                    + "' is not out, in or both");
        }
        int qos;
        try {
            qos = Integer.parseInt(words.get(2));
        } catch (NumberFormatException e) {
            qos = -1;
        }
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("volantmq." + key + ": QoS '" + words.get(2) + "' is not 0, 1 or 2");
        }
        String local = words.size() > 3 ? words.get(3) : "";
        String remote = words.size() > 4 ? words.get(4) : "";
        String pattern = words.get(0);
        for (String prefix : List.of(local, remote)) {
            if (prefix.contains("+") || prefix.contains("#")) {
                throw new IllegalArgumentException("volantmq." + key + ": a prefix may not hold wildcards: '"
                        + prefix + "'");
            }
        }
        if (pattern.isEmpty() || pattern.startsWith("$share/")) {
            throw new IllegalArgumentException("volantmq." + key + ": pattern '" + pattern
                    + "' is empty or a shared subscription");
        }
        return new TopicRule(pattern, direction, qos, local, remote);
    }

    /** Splits on blanks; {@code ""} stands for an empty word, as in Mosquitto's configuration. */
    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w.equals("\"\"") ? "" : w);
            }
        }
        return out;
    }
}
