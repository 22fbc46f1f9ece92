package io.volantmq.broker.admin;

import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.routing.PublishTap;
import io.volantmq.broker.routing.Router;
import io.volantmq.broker.routing.TopicMatcher;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The live message trace of the admin endpoint: off until an operator starts one, and bounded in
 * every direction: at most {@link #MAX_TRACES} at once, each for one topic filter or one publishing
 * client id, ending after {@code seconds} (at most {@link #MAX_SECONDS}) or {@code max} messages (at
 * most {@link #MAX_MESSAGES}), or when nobody has polled it for {@link #IDLE_MILLIS}. A trace buffers
 * at most {@link #MAX_BUFFERED} records between polls (older ones are dropped and counted) and keeps
 * at most {@link #PREVIEW_BYTES} of each payload. The {@link Router} tap is installed only while a
 * trace runs; it runs on event loops, so it only copies a preview and never blocks.
 */
final class Tracer implements PublishTap {
    static final int MAX_TRACES = 4;
    static final int MAX_SECONDS = 600;
    static final int MAX_MESSAGES = 1000;
    static final int MAX_BUFFERED = 200;
    static final int PREVIEW_BYTES = 256;
    static final long IDLE_MILLIS = 60_000;
    /** The longest a poll waits for messages: below the admin endpoint's 30 s read timeout. */
    static final int MAX_WAIT_SECONDS = 20;

    private final Router router;
    private final LongSupplier clock;
    private final Map<Long, Trace> traces = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    Tracer(Router router) {
        this(router, System::currentTimeMillis);
    }

    Tracer(Router router, LongSupplier clock) {
        this.router = router;
        this.clock = clock;
    }

    /** One running trace; its state is guarded by its own monitor. */
    final class Trace {
        final long id;
        final String filter;
        final String clientId;
        final long endsAtMillis;
        final int max;
        private final ArrayDeque<Map<String, Object>> buffer = new ArrayDeque<>();
        private long seen;
        private long droppedRecords;
        private long lastPollMillis;
        private boolean ended;
        private CompletableFuture<Void> waiter;

        Trace(long id, String filter, String clientId, long endsAtMillis, int max, long now) {
            this.id = id;
            this.filter = filter;
            this.clientId = clientId;
            this.endsAtMillis = endsAtMillis;
            this.max = max;
            this.lastPollMillis = now;
        }

        boolean matches(String origin, String topic) {
            return filter != null ? TopicMatcher.matches(filter, topic) : clientId.equals(origin);
        }

        synchronized void offer(Map<String, Object> record) {
            if (ended) {
                return;
            }
            seen++;
            if (buffer.size() == MAX_BUFFERED) {
                buffer.removeFirst();
                droppedRecords++;
            }
            buffer.addLast(record);
            if (seen >= max) {
                ended = true;
            }
            wake();
        }

        /** Ends it when its time is up or nobody polls; true when it has ended. */
        synchronized boolean expire(long now) {
            if (!ended && (now >= endsAtMillis || now - lastPollMillis >= IDLE_MILLIS)) {
                ended = true;
                wake();
            }
            return ended;
        }

        synchronized long lastPollMillis() {
            return lastPollMillis;
        }

        synchronized void end() {
            ended = true;
            wake();
        }

        private void wake() {
            if (waiter != null) {
                waiter.complete(null);
                waiter = null;
            }
        }

        /** Completes when there is something to say (records, or the end), or after {@code waitMillis}. */
        synchronized CompletableFuture<Void> ready(long now, long waitMillis) {
            lastPollMillis = now;
            if (!buffer.isEmpty() || ended || waitMillis <= 0) {
                return CompletableFuture.completedFuture(null);
            }
            if (waiter != null) {
                waiter.complete(null); // one poll at a time: the older one answers now
            }
            waiter = new CompletableFuture<Void>()
                    .completeOnTimeout(null, Math.min(waitMillis, Math.max(0, endsAtMillis - now)),
                            TimeUnit.MILLISECONDS);
            return waiter;
        }

        synchronized Map<String, Object> drain(long now) {
            lastPollMillis = now;
            List<Object> messages = new ArrayList<>(buffer);
            buffer.clear();
            return describe(messages);
        }

        synchronized Map<String, Object> describe(List<Object> messages) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("filter", filter);
            body.put("clientId", clientId);
            body.put("endsAt", Instant.ofEpochMilli(endsAtMillis).toString());
            body.put("max", max);
            body.put("seen", seen);
            body.put("droppedRecords", droppedRecords);
            body.put("ended", ended);
            if (messages != null) {
                body.put("messages", messages);
            }
            return body;
        }
    }

    /** Starts a trace; exactly one of {@code filter} and {@code clientId} is non-null (checked by the caller). */
    synchronized Trace start(String filter, String clientId, int seconds, int max) {
        long now = clock.getAsLong();
        sweep(now);
        if (traces.size() >= MAX_TRACES) {
            throw new AdminApi.ApiException(io.netty.handler.codec.http.HttpResponseStatus.TOO_MANY_REQUESTS,
                    MAX_TRACES + " traces are running already; stop one first");
        }
        Trace trace = new Trace(ids.incrementAndGet(), filter, clientId, now + seconds * 1000L, max, now);
        traces.put(trace.id, trace);
        router.tap(this);
        return trace;
    }

    Trace get(long id) {
        sweep(clock.getAsLong());
        return traces.get(id);
    }

    /** Forgets an ended trace once its last records were read. */
    synchronized void forget(Trace trace) {
        traces.remove(trace.id);
        if (traces.isEmpty()) {
            router.tap(null);
        }
    }

    synchronized boolean stop(long id) {
        Trace trace = traces.get(id);
        if (trace == null) {
            return false;
        }
        trace.end();
        forget(trace);
        return true;
    }

    int running() {
        return traces.size();
    }

    long now() {
        return clock.getAsLong();
    }

    /** Traces unpolled for long are forgotten here; those merely ended wait for their last poll. */
    private synchronized void sweep(long now) {
        for (Trace t : List.copyOf(traces.values())) {
            if (t.expire(now) && now - t.lastPollMillis() >= IDLE_MILLIS) {
                forget(t);
            }
        }
    }

    @Override
    public void published(String originClientId, Publish publish) {
        try {
            long now = clock.getAsLong();
            Map<String, Object> record = null;
            for (Trace t : traces.values()) {
                if (t.expire(now) || !t.matches(originClientId, publish.topic())) {
                    continue;
                }
                if (record == null) {
                    record = record(now, originClientId, publish);
                }
                t.offer(record);
            }
        } catch (RuntimeException e) {
            // a trace must never disturb routing; a broken record is simply not traced
        }
    }

    private static Map<String, Object> record(long now, String origin, Publish p) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("at", Instant.ofEpochMilli(now).toString());
        r.put("from", origin);
        r.put("topic", p.topic());
        r.put("qos", p.qos());
        r.put("retain", p.retain());
        r.put("bytes", p.payload().length);
        byte[] preview = p.payload().length <= PREVIEW_BYTES ? p.payload() : Arrays.copyOf(p.payload(), PREVIEW_BYTES);
        r.put("payload", text(preview, p.payload().length > PREVIEW_BYTES));
        r.put("payloadBase64", Base64.getEncoder().encodeToString(preview));
        r.put("truncated", p.payload().length > PREVIEW_BYTES);
        return r;
    }

    /** The preview as text; a cut preview may end inside a character: up to 3 bytes are left off then. */
    private static String text(byte[] preview, boolean cut) {
        for (int drop = 0; drop <= (cut ? 3 : 0); drop++) {
            String s = utf8(drop == 0 ? preview : Arrays.copyOf(preview, preview.length - drop));
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null; // binary: payloadBase64 has it
        }
    }
}
