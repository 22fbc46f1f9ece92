package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.OrderedSubscription;
import io.volantmq.persistence.codec.QueueEntry;
import io.volantmq.persistence.codec.RecordCodec;
import org.h2.mvstore.MVStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Copies every record of an old MapDB file into a new MVStore file, map by map, keeping every key:
 * sessions, subscriptions with their order, retained messages, message bodies with their ids and
 * reference counts, queue entries with their seqs, packet ids and states, queue stats, inbound
 * QoS 2 packet ids and the id counter, so the broker goes on where the old version stopped.
 *
 * <p>A record the old file cannot give (a broken page, a value no format reads) fails the whole
 * conversion with {@link LegacyMapDbFile.Unreadable}: the caller keeps the old file and starts with
 * nothing rather than with part of it. A failure writing the new file is not the old file's fault
 * and is thrown as it is.
 */
final class MapDbConverter {
    /** What was converted. */
    record Counts(long sessions, long subscriptions, long retained, long queued, long bodies, long qos2, String journal) {
    }

    /** Records written between two commits of the new file. */
    private static final int COMMIT_EVERY = 10_000;

    private MapDbConverter() {
    }

    /**
     * Converts {@code copy}, a copy of the old file, with {@code journal}, the old file's journal, into
     * a new MVStore file at {@code target}, committed and synced when this returns.
     */
    static Counts convert(Path copy, Path journal, Path target) throws IOException {
        LegacyMapDb old;
        try {
            old = LegacyMapDb.open(copy, journal);
        } catch (RuntimeException | AssertionError e) {
            throw new LegacyMapDbFile.Unreadable("MapDB cannot open it: " + MapDbStore.why(e), e);
        }
        try (old) {
            // no background commits: this converter commits every COMMIT_EVERY records, so memory stays
            // bounded, and the file is not in use until it is complete, so a replaced chunk is never
            // needed again and its space is reused at once (MVStore keeps it 45 s by default)
            MVStore mv = new MVStore.Builder().fileName(target.toString()).autoCommitDisabled().autoCommitBufferSize(0).open();
            try {
                mv.setRetentionTime(0);
                Counts counts = copy(old, new MapDbFiles(target, mv));
                mv.commit();
                mv.sync();
                mv.close();
                return counts;
            } catch (RuntimeException | Error e) {
                mv.closeImmediately();
                throw e;
            }
        }
    }

    private static Counts copy(LegacyMapDb old, MapDbFiles to) {
        long sessions = each(to.mv, "sessions", old.sessions.entrySet(), (Map.Entry<String, SessionState> e) ->
                to.sessions.put(e.getKey(), RecordCodec.session(e.getValue())));
        long subscriptions = each(to.mv, "subscriptions", old.subscriptions.entrySet(), (Map.Entry<Object[], OrderedSubscription> e) ->
                to.subscriptions.put(MapDbFiles.key((String) e.getKey()[0], (String) e.getKey()[1]),
                        RecordCodec.subscription(e.getValue())));
        long retained = each(to.mv, "retained messages", old.retained.entrySet(), (Map.Entry<String, StoredMessage> e) ->
                to.retained.put(e.getKey(), RecordCodec.message(e.getValue())));
        long bodies = each(to.mv, "message bodies", old.bodies.entrySet(), (Map.Entry<Long, StoredMessage> e) ->
                to.bodies.put(e.getKey(), RecordCodec.message(e.getValue())));
        each(to.mv, "reference counts", old.refs.entrySet(), (Map.Entry<Long, Integer> e) -> to.refs.put(e.getKey(), e.getValue()));
        long queued = each(to.mv, "queue entries", old.queues.entrySet(), (Map.Entry<Object[], QueueEntry> e) ->
                to.queues.put(MapDbFiles.seqKey((String) e.getKey()[0], (Long) e.getKey()[1]),
                        RecordCodec.queueEntry(e.getValue())));
        each(to.mv, "queue stats", old.stats.entrySet(), (Map.Entry<String, long[]> e) -> to.stats.put(e.getKey(), e.getValue()));
        long qos2 = each(to.mv, "inbound QoS 2 packet ids", old.qos2, (Object[] key) ->
                to.qos2.put(MapDbMessages.qos2Key((String) key[0], (Integer) key[1]), Boolean.TRUE));
        long ids;
        try {
            ids = old.ids.get();
        } catch (RuntimeException | AssertionError e) {
            throw new LegacyMapDbFile.Unreadable("its id counter cannot be read: " + MapDbStore.why(e), e);
        }
        to.meta.put(MapDbMessages.IDS, ids);
        return new Counts(sessions, subscriptions, retained, queued, bodies, qos2, old.journalReplay);
    }

    /**
     * Hands every element of {@code source} to {@code sink}, committing {@code mv} every
     * {@link #COMMIT_EVERY}; a failure reading {@code source} is the old file's damage, one in
     * {@code sink} is not. Returns how many there were.
     */
    private static <T> long each(MVStore mv, String what, Iterable<T> source, Consumer<T> sink) {
        long count = 0;
        Iterator<T> it;
        try {
            it = source.iterator();
        } catch (RuntimeException | AssertionError e) {
            throw unreadable(what, 0, e);
        }
        while (true) {
            T next;
            try {
                if (!it.hasNext()) {
                    return count;
                }
                next = it.next();
            } catch (RuntimeException | AssertionError e) {
                throw unreadable(what, count, e);
            }
            sink.accept(next);
            if (++count % COMMIT_EVERY == 0) {
                mv.commit();
            }
        }
    }

    private static LegacyMapDbFile.Unreadable unreadable(String what, long read, Throwable e) {
        return new LegacyMapDbFile.Unreadable("its " + what + " cannot be read after " + read + " of them: "
                + MapDbStore.why(e), e);
    }
}
