package io.volantmq.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code bench store} measures and against which backend.
 *
 * @param backend          provider name ({@code Providers.select})
 * @param config           the provider's settings ({@code path}, {@code uri}, {@code --set} keys)
 * @param fillConfig       settings laid over {@code config} while the recovery phase fills the store
 *                         (e.g. {@code fsync=false}); the timed reopen uses {@code config} alone
 * @param disk             file or directory whose size is reported after the fill, or null
 * @param durationSeconds  each throughput phase stops after this long ...
 * @param count            ... or after this many operations over all threads, whichever comes first
 * @param threads          the multi-threaded runs' thread count; 0 = the store's {@code maxConcurrency()}, at most 8
 * @param payload          payload bytes per message (at least 8: the message's index)
 * @param fanOut           queues per message in the fan-out phase
 * @param phases           which phases run
 * @param modes            sync (the backend as opened) and/or buffered ({@code BufferedStore} over it)
 * @param recoveryMessages messages queued before the recovery phase reopens the store
 * @param recoveryQueues   queues they are spread over (one session each)
 * @param syncIntervalMillis the buffered store's write-behind interval
 * @param label            a name for the result
 * @param quiet            no progress lines
 */
record StoreSettings(String backend, Map<String, String> config, Map<String, String> fillConfig, Path disk,
                     double durationSeconds, long count, int threads, int payload, int fanOut,
                     Set<Phase> phases, List<Mode> modes, long recoveryMessages, int recoveryQueues,
                     long syncIntervalMillis, String label, boolean quiet) {

    /** What one phase measures. */
    enum Phase {
        APPEND("append"), FAN_OUT("fan-out"), CYCLE("cycle"), RECOVERY("recovery");

        final String key;

        Phase(String key) {
            this.key = key;
        }

        static Phase of(String key) {
            for (Phase p : values()) {
                if (p.key.equals(key.trim())) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown phase '" + key + "'; known: append, fan-out, cycle, recovery");
        }
    }

    /** How the store is called: directly, or through the write-behind buffer. */
    enum Mode {
        SYNC("sync"), BUFFERED("buffered");

        final String key;

        Mode(String key) {
            this.key = key;
        }

        static Mode of(String key) {
            for (Mode m : values()) {
                if (m.key.equals(key.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown mode '" + key + "'; known: sync, buffered");
        }
    }

    StoreSettings {
        config = Map.copyOf(config);
        fillConfig = Map.copyOf(fillConfig);
        phases = Set.copyOf(phases);
        modes = List.copyOf(modes);
        if (durationSeconds <= 0) {
            throw new IllegalArgumentException("--duration must be positive");
        }
        if (count < 1) {
            throw new IllegalArgumentException("--count must be at least 1");
        }
        if (threads < 0 || threads > 256) {
            throw new IllegalArgumentException("--threads must be between 1 and 256");
        }
        if (payload < 8) {
            throw new IllegalArgumentException("--payload must be at least 8 bytes (the message index)");
        }
        if (fanOut < 1) {
            throw new IllegalArgumentException("--fan-out must be at least 1");
        }
        if (recoveryMessages < 0 || recoveryQueues < 1) {
            throw new IllegalArgumentException("--recovery-messages must be >= 0 and --recovery-queues >= 1");
        }
        if (syncIntervalMillis < 0) {
            throw new IllegalArgumentException("--sync-interval must be >= 0");
        }
    }
}
