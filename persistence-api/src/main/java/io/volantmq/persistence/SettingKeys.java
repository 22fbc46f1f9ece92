package io.volantmq.persistence;

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
                String closest = closest(key, known);
                throw new PersistenceException("unknown setting " + config.propertyName(key)
                        + (closest == null ? "" : "; did you mean " + config.propertyName(closest) + "?")
                        + " (" + config.providerName() + " knows " + new TreeSet<>(known) + ")");
            }
        }
    }

    /**
     * The known key nearest to {@code key} by edit distance, ignoring case; null when none is close enough
     * to be a typo (the broker's loader uses the same bound: at most 2 edits, or a quarter of the key).
     */
    static String closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : new TreeSet<>(known)) {
            int d = distance(key.toLowerCase(java.util.Locale.ROOT), candidate.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
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
