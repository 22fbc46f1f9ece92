package io.volantmq.persistence;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one check of a backend's {@code volantmq.persistence.<name>.*} keys: a key the backend does not
 * read is an error naming the closest one it does. The broker's configuration loader refuses such a key
 * before anything starts; this makes an embedder that opens a {@link Provider} directly get the same
 * answer, rather than a misspelled {@code fsnyc=false} silently leaving the default in place.
 */
public final class SettingKeys {
    private SettingKeys() {
    }

    /**
     * Fails when {@code config} holds a key not in {@code known}.
     *
     * @throws PersistenceException naming the first unknown key (full property name), the closest known key
     *         when one is near, and every known key
     */
    public static void check(ProviderConfig config, Set<String> known) {
        for (String key : new TreeSet<>(config.values().keySet())) {
            if (!known.contains(key)) {
                Set<String> sorted = new TreeSet<>(known);
                throw new PersistenceException("unknown setting " + config.propertyName(key)
                        + closest(key, sorted).map(c -> "; did you mean " + config.propertyName(c) + "?").orElse("")
                        + " (" + config.providerName() + " knows " + sorted + ")");
            }
        }
    }

    /**
     * The candidate nearest to {@code key} by edit distance, ignoring case, the first in iteration order on a
     * tie; empty when none is close enough to be a typo: at most 2 edits, or a quarter of the key's length.
     * The broker's configuration loader has the same rule for its keys.
     */
    public static Optional<String> closest(String key, Collection<String> candidates) {
        String lower = key.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Math.max(2, key.length() / 4) + 1;
        for (String candidate : candidates) {
            int d = distance(lower, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
