package io.volantmq.broker.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.volantmq.persistence.StoreHealth;
import io.volantmq.broker.routing.SharedSubscriptions;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.Topics;
import io.volantmq.broker.routing.Subscriber;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.broker.BrokerContext;
import io.volantmq.broker.routing.TopicMatcher;
import io.volantmq.broker.session.SessionRegistry.ClientView;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.BrokerStats;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the admin endpoints do, free of HTTP: each operation returns a {@link Reply} (status, JSON
 * body, and a one-line summary for the audit log) or throws {@link ApiException} for a client error.
 * Runs on the admin worker thread, so it may wait (briefly, bounded) for event loops and the store.
 */
final class AdminApi {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** The origin of messages published through the API, for no-local checks. */
    static final String ORIGIN = "$admin";
    private static final long VIEW_TIMEOUT_MILLIS = 5000;
    private static final Set<String> PUBLISH_FIELDS = Set.of("topic", "payload", "payloadBase64", "qos", "retain",
            "properties");
    private static final Set<String> TRACE_FIELDS = Set.of("filter", "clientId", "seconds", "max");

    private final BrokerStats stats;
    private final BrokerContext context;
    private final Tracer tracer;

    AdminApi(BrokerStats stats) {
        this.stats = stats;
        this.context = stats.context();
        this.tracer = new Tracer(context.router());
    }

    Tracer tracer() {
        return tracer;
    }

    /** @param quiet a read the dashboard repeats every few seconds: logged at DEBUG, not INFO */
    record Reply(HttpResponseStatus status, Object body, String summary, boolean quiet) {
        Reply(HttpResponseStatus status, Object body, String summary) {
            this(status, body, summary, false);
        }

        static Reply ok(Object body, String summary) {
            return new Reply(HttpResponseStatus.OK, body, summary);
        }
    }

    /** A request the API refuses: becomes {@code {"error": message}} with {@code status}. */
    static class ApiException extends RuntimeException {
        final HttpResponseStatus status;

        ApiException(HttpResponseStatus status, String message) {
            super(message);
            this.status = status;
        }
    }

    static ApiException badRequest(String message) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(HttpResponseStatus.NOT_FOUND, message);
    }

    // ------------------------------------------------------------------ health

    /** {@code /health}: live while it answers; ready while the store answers too (503 otherwise). */
    Reply health(boolean readinessMatters) {
        StoreHealth store = stats.storeHealth();
        boolean ready = store.healthy();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "UP" : "DOWN");
        body.put("live", true);
        body.put("ready", ready);
        body.put("node", stats.nodeName());
        body.put("version", BrokerStats.version());
        body.put("uptimeSeconds", stats.uptimeSeconds());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("healthy", store.healthy());
        s.put("lastError", store.lastError());
        s.put("since", store.sinceMillis() == 0 ? null : Instant.ofEpochMilli(store.sinceMillis()).toString());
        s.put("failedCalls", store.failedCalls());
        body.put("store", s);
        List<Object> listeners = new ArrayList<>();
        stats.listeners().forEach(l -> listeners.add(l.name()));
        body.put("listeners", listeners);
        HttpResponseStatus status = readinessMatters && !ready ? HttpResponseStatus.SERVICE_UNAVAILABLE
                : HttpResponseStatus.OK;
        return new Reply(status, body, "health");
    }

    // ------------------------------------------------------------------ clients

    Reply clients(Map<String, List<String>> query) {
        int limit = intParam(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = intParam(query, "offset", 0, 0, Integer.MAX_VALUE);
        String search = param(query, "q");
        List<String> ids = context.sessions().clientIds();
        if (search != null && !search.isEmpty()) {
            String needle = search.toLowerCase(java.util.Locale.ROOT);
            ids = ids.stream().filter(id -> id.toLowerCase(java.util.Locale.ROOT).contains(needle)).toList();
        }
        int from = Math.min(offset, ids.size());
        List<String> page = ids.subList(from, (int) Math.min(ids.size(), (long) from + limit));
        List<CompletableFuture<ClientView>> views = new ArrayList<>();
        for (String id : page) {
            views.add(context.sessions().view(id));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(VIEW_TIMEOUT_MILLIS);
        List<Object> clients = new ArrayList<>();
        for (CompletableFuture<ClientView> f : views) {
            ClientView view = await(f, deadline);
            if (view != null) {
                clients.add(client(view));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", ids.size());
        body.put("offset", offset);
        body.put("limit", limit);
        body.put("clients", clients);
        return Reply.ok(body, "listed " + clients.size() + " of " + ids.size() + " clients"
                + (search == null ? "" : " matching '" + search + "'"));
    }

    Reply client(String clientId) {
        ClientView view = await(context.sessions().view(clientId),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(VIEW_TIMEOUT_MILLIS));
        if (view == null) {
            throw notFound("no session for client '" + clientId + "'");
        }
        return Reply.ok(client(view), "looked up client '" + clientId + "'");
    }

    Reply disconnect(String clientId) {
        if (!context.sessions().kick(clientId, "disconnected by an administrator")) {
            throw notFound("client '" + clientId + "' is not connected");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", clientId);
        body.put("disconnected", true);
        return Reply.ok(body, "disconnected client '" + clientId + "' (reason 0x98 administrative action)");
    }

    private static ClientView await(CompletableFuture<ClientView> f, long deadlineNanos) {
        try {
            return f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, "interrupted");
        } catch (ExecutionException e) {
            throw new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, "broker stopping");
        } catch (TimeoutException e) {
            throw new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, "the broker's event loops did not answer "
                    + "within " + VIEW_TIMEOUT_MILLIS + " ms");
        }
    }

    private Map<String, Object> client(ClientView v) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("clientId", v.clientId());
        c.put("online", v.online());
        ProtocolVersion version = ProtocolVersion.ofLevel(v.protocolLevel());
        c.put("protocol", version == null ? null : protocolName(version));
        c.put("address", v.address());
        c.put("listener", listenerName(v.listener()));
        if (v.tls() != null) {
            Map<String, Object> tls = new LinkedHashMap<>();
            tls.put("protocol", v.tls().protocol());
            tls.put("cipher", v.tls().cipher());
            tls.put("provider", v.tls().provider());
            c.put("tls", tls);
        }
        c.put("username", v.username());
        c.put("keepAlive", v.keepAliveSeconds());
        c.put("sessionExpiry", v.expirySeconds() == SessionState.NEVER_EXPIRES ? "never" : v.expirySeconds());
        c.put("connectedAt", !v.online() || v.connectedAtMillis() == 0 ? null
                : Instant.ofEpochMilli(v.connectedAtMillis()).toString());
        c.put("disconnectedAt", v.online() || v.disconnectedAtMillis() == 0 ? null
                : Instant.ofEpochMilli(v.disconnectedAtMillis()).toString());
        List<Object> subs = new ArrayList<>();
        v.subscriptions().forEach((filter, options) -> subs.add(subscription(null, filter, options)));
        c.put("subscriptions", subs);
        c.put("inflight", v.inflight());
        try {
            QueueStats q = context.router().queues().stats(v.clientId());
            c.put("queued", q.messages());
            c.put("queuedBytes", q.payloadBytes());
        } catch (PersistenceException e) {
            c.put("queued", null); // the store is failing: say so rather than guess
            c.put("queuedBytes", null);
        }
        return c;
    }

    /** The listener as /metrics and /health name it: with the bound port where it was configured as 0. */
    private String listenerName(String key) {
        for (BrokerStats.ListenerInfo l : stats.listeners()) {
            if (l.key().equals(key)) {
                return l.name();
            }
        }
        return key;
    }

    static String protocolName(ProtocolVersion v) {
        return switch (v) {
            case MQTT_3_1 -> "MQTT 3.1";
            case MQTT_3_1_1 -> "MQTT 3.1.1";
            case MQTT_5 -> "MQTT 5.0";
        };
    }

    // ------------------------------------------------------------------ subscriptions

    Reply subscriptions(Map<String, List<String>> query) {
        int limit = intParam(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = intParam(query, "offset", 0, 0, Integer.MAX_VALUE);
        String clientId = param(query, "client");
        String topic = param(query, "topic"); // only the subscriptions a message on this topic would match
        if (topic != null) {
            validateTopic(topic);
        }
        List<Subscriber> all = new ArrayList<>();
        context.tree().forEach(s -> {
            if ((clientId == null || clientId.equals(s.clientId())) && (topic == null || TopicMatcher.matches(
                    Topics.isShared(s.filter()) ? SharedSubscriptions.filter(s.filter()) : s.filter(), topic))) {
                all.add(s);
            }
        });
        all.sort(Comparator.comparing(Subscriber::clientId).thenComparing(Subscriber::filter));
        List<Object> page = new ArrayList<>();
        for (int i = offset; i < all.size() && page.size() < limit; i++) {
            Subscriber s = all.get(i);
            page.add(subscription(s.clientId(), s.filter(), s.options()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", all.size());
        body.put("offset", offset);
        body.put("limit", limit);
        body.put("subscriptions", page);
        return Reply.ok(body, "listed " + page.size() + " of " + all.size() + " subscriptions"
                + (clientId == null ? "" : " of client '" + clientId + "'")
                + (topic == null ? "" : " matching '" + topic + "'"));
    }

    private static Map<String, Object> subscription(String clientId, String filter, SubscriptionOptions o) {
        Map<String, Object> s = new LinkedHashMap<>();
        if (clientId != null) {
            s.put("clientId", clientId);
        }
        s.put("filter", filter);
        s.put("qos", o.qos());
        s.put("noLocal", o.noLocal());
        s.put("retainAsPublished", o.retainAsPublished());
        s.put("subscriptionId", o.subscriptionId() == 0 ? null : o.subscriptionId());
        s.put("shareGroup", o.shareGroup());
        return s;
    }

    // ------------------------------------------------------------------ retained

    Reply retained(Map<String, List<String>> query) {
        int limit = intParam(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = intParam(query, "offset", 0, 0, Integer.MAX_VALUE);
        String filter = param(query, "filter");
        List<StoredMessage> all;
        long now = System.currentTimeMillis();
        if (filter == null) {
            all = new ArrayList<>(context.retained().snapshot());
            all.removeIf(m -> m.expired(now));
        } else {
            if (!Topics.isValidPlainFilter(filter)) {
                throw badRequest("not a valid topic filter: '" + filter + "'");
            }
            all = new ArrayList<>(context.retained().match(filter, now));
        }
        all.sort(Comparator.comparing(StoredMessage::topic));
        List<Object> page = new ArrayList<>();
        for (int i = offset; i < all.size() && page.size() < limit; i++) {
            page.add(message(all.get(i)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", all.size());
        body.put("offset", offset);
        body.put("limit", limit);
        body.put("messages", page);
        return Reply.ok(body, "listed " + page.size() + " of " + all.size() + " retained messages"
                + (filter == null ? "" : " matching '" + filter + "'"));
    }

    Reply deleteRetained(Map<String, List<String>> query) {
        String topic = param(query, "topic");
        if (topic == null) {
            throw badRequest("the topic parameter is required: DELETE /api/retained?topic=a/b");
        }
        validateTopic(topic);
        long now = System.currentTimeMillis();
        if (context.retained().match(topic, now).isEmpty()) {
            throw notFound("no retained message on '" + topic + "'");
        }
        // an empty retained message removes it, in memory and in the store [MQTT-3.3.1-10]; nobody is notified
        context.retained().update(new StoredMessage(topic, 0, true, new byte[0], null, now, 0));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", topic);
        body.put("deleted", true);
        return Reply.ok(body, "deleted the retained message on '" + topic + "'");
    }

    private static Map<String, Object> message(StoredMessage m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("topic", m.topic());
        j.put("qos", m.qos());
        j.put("bytes", m.payload().length);
        j.put("payload", utf8(m.payload()));
        j.put("payloadBase64", Base64.getEncoder().encodeToString(m.payload()));
        j.put("createdAt", m.createdAtMillis() == 0 ? null : Instant.ofEpochMilli(m.createdAtMillis()).toString());
        j.put("expiresAt", m.expiresAtMillis() == 0 ? null : Instant.ofEpochMilli(m.expiresAtMillis()).toString());
        return j;
    }

    /** The payload as text when it is well-formed UTF-8, else null (payloadBase64 has it). */
    private static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ publish

    /**
     * {@code {"topic": "a/b", "payload": "text" | "payloadBase64": "...", "qos": 0, "retain": false}}:
     * routed like a client's PUBLISH (subscribers' ACLs apply; the publisher is the administrator).
     */
    Reply publish(String body) {
        Map<?, ?> fields = object(body, PUBLISH_FIELDS);
        if (!(fields.get("topic") instanceof String topic)) {
            throw badRequest("topic (a string) is required");
        }
        validateTopic(topic);
        byte[] payload;
        Object text = fields.get("payload");
        Object base64 = fields.get("payloadBase64");
        if (text != null && base64 != null) {
            throw badRequest("give payload or payloadBase64, not both");
        } else if (text != null) {
            if (!(text instanceof String s)) {
                throw badRequest("payload must be a string");
            }
            payload = s.getBytes(StandardCharsets.UTF_8);
        } else if (base64 != null) {
            if (!(base64 instanceof String s)) {
                throw badRequest("payloadBase64 must be a string");
            }
            try {
                payload = Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw badRequest("payloadBase64 is not base64: " + e.getMessage());
            }
        } else {
            payload = new byte[0];
        }
        if (payload.length > context.config().maxPacketSize()) {
            throw badRequest("payload larger than volantmq.maxPacketSize (" + context.config().maxPacketSize() + ")");
        }
        Object qosValue = fields.containsKey("qos") ? fields.get("qos") : Long.valueOf(0);
        if (!(qosValue instanceof Long qos) || qos < 0 || qos > 2) {
            throw badRequest("qos must be 0, 1 or 2");
        }
        Object retainValue = fields.containsKey("retain") ? fields.get("retain") : Boolean.FALSE;
        if (!(retainValue instanceof Boolean retain)) {
            throw badRequest("retain must be true or false");
        }
        boolean routed;
        try {
            routed = context.router().publish(ORIGIN, new Publish(topic, qos.intValue(), retain, false, 0, payload,
                    PublishProperties.parse(fields.get("properties")))).matched();
        } catch (PersistenceException e) {
            throw new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, "the store is failing: " + e.getMessage());
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("topic", topic);
        reply.put("qos", qos);
        reply.put("retain", retain);
        reply.put("bytes", payload.length);
        reply.put("routed", routed);
        return Reply.ok(reply, "published " + payload.length + " bytes to '" + topic + "' (QoS " + qos
                + (retain ? ", retained" : "") + ")" + (routed ? "" : ", no subscriber"));
    }

    private static void validateTopic(String topic) {
        if (topic.isEmpty() || !Topics.isValidTopicName(topic)) {
            throw badRequest("not a valid topic name: '" + topic + "' (no wildcards, not empty)");
        }
        if (topic.getBytes(StandardCharsets.UTF_8).length > 65_535) {
            throw badRequest("topic longer than 65535 bytes");
        }
        for (int i = 0; i < topic.length(); i++) {
            if (Character.isSurrogate(topic.charAt(i))
                    && !(Character.isHighSurrogate(topic.charAt(i)) && i + 1 < topic.length()
                    && Character.isLowSurrogate(topic.charAt(++i)))) {
                throw badRequest("topic is not well-formed UTF-16 / UTF-8");
            }
        }
    }

    // ------------------------------------------------------------------ stats (the dashboard's charts)

    /**
     * {@code /api/stats}: the broker's numbers now. Counters are totals since start; the dashboard
     * samples them every few seconds and draws rates from the differences.
     */
    Reply stats() {
        BrokerStats.State state = stats.state();
        StoreHealth store = stats.storeHealth();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("time", Instant.now().toString());
        body.put("node", stats.nodeName());
        body.put("version", BrokerStats.version());
        body.put("uptimeSeconds", stats.uptimeSeconds());
        body.put("connected", state.connected());
        body.put("sessions", state.sessions());
        body.put("offline", state.offline());
        body.put("subscriptions", state.subscriptions());
        body.put("sharedSubscriptions", state.shared());
        body.put("retained", stats.retainedCount());
        body.put("queued", state.storedMessages() < 0 ? null : state.storedMessages());
        body.put("queuedBytes", state.storedBytes() < 0 ? null : state.storedBytes());
        body.put("messagesReceived", (long) stats.count("volantmq.messages.received"));
        body.put("messagesSent", (long) stats.count("volantmq.messages.sent"));
        Map<String, Object> dropped = new LinkedHashMap<>();
        stats.countsBy(BrokerMetrics.DROPPED, "reason").forEach((reason, n) -> dropped.put(reason, n.longValue()));
        body.put("dropped", dropped);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("healthy", store.healthy());
        s.put("lastError", store.lastError());
        s.put("failedCalls", store.failedCalls());
        body.put("store", s);
        List<Object> listeners = new ArrayList<>();
        for (BrokerStats.ListenerInfo l : stats.listeners()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", l.name());
            one.put("clients", state.byListener().getOrDefault(l.key(), 0L));
            listeners.add(one);
        }
        body.put("listeners", listeners);
        body.put("traces", tracer.running());
        return new Reply(HttpResponseStatus.OK, body, "read the stats", true);
    }

    // ------------------------------------------------------------------ trace

    /** {@code POST /api/trace {"filter": "a/#" | "clientId": "c", "seconds": 60, "max": 100}}. */
    Reply startTrace(String body) {
        Map<?, ?> fields = object(body, TRACE_FIELDS);
        Object filter = fields.get("filter");
        Object clientId = fields.get("clientId");
        if ((filter == null) == (clientId == null)) {
            throw badRequest("give a topic filter (filter) or a client id (clientId), one of them");
        }
        if (filter != null && (!(filter instanceof String f) || f.isEmpty() || !Topics.isValidPlainFilter(f))) {
            throw badRequest("filter must be a valid topic filter, e.g. sensors/#");
        }
        if (clientId != null && (!(clientId instanceof String c) || c.isEmpty())) {
            throw badRequest("clientId must be a non-empty string");
        }
        int seconds = intField(fields, "seconds", 60, 1, Tracer.MAX_SECONDS);
        int max = intField(fields, "max", 100, 1, Tracer.MAX_MESSAGES);
        Tracer.Trace trace = tracer.start((String) filter, (String) clientId, seconds, max);
        return new Reply(HttpResponseStatus.CREATED, trace.describe(null), "started trace " + trace.id + " of "
                + (filter != null ? "filter '" + filter + "'" : "client '" + clientId + "'") + " for " + seconds
                + " s, at most " + max + " messages");
    }

    Tracer.Trace trace(String id) {
        Tracer.Trace trace;
        try {
            trace = tracer.get(Long.parseLong(id));
        } catch (NumberFormatException e) {
            trace = null;
        }
        if (trace == null) {
            throw notFound("no trace " + id + " (ended and read, or never started)");
        }
        return trace;
    }

    /** The records since the last poll; an ended trace is forgotten once its last records are read. */
    Reply pollTrace(Tracer.Trace trace) {
        Map<String, Object> body = trace.drain(tracer.now());
        if (Boolean.TRUE.equals(body.get("ended"))) {
            tracer.forget(trace);
        }
        return new Reply(HttpResponseStatus.OK, body, "polled trace " + trace.id, true);
    }

    Reply stopTrace(String id) {
        boolean stopped;
        try {
            stopped = tracer.stop(Long.parseLong(id));
        } catch (NumberFormatException e) {
            stopped = false;
        }
        if (!stopped) {
            throw notFound("no trace " + id);
        }
        return Reply.ok(Map.of("id", id, "stopped", true), "stopped trace " + id);
    }

    private static Map<?, ?> object(String body, Set<String> known) {
        Object parsed;
        try {
            parsed = Json.parse(body);
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> fields)) {
            throw badRequest("the body must be a JSON object");
        }
        for (Object key : fields.keySet()) {
            if (!known.contains(key)) {
                throw badRequest("unknown field '" + key + "'; known: " + known);
            }
        }
        return fields;
    }

    private static int intField(Map<?, ?> fields, String name, int def, int min, int max) {
        Object v = fields.get(name);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Long n) || n < min || n > max) {
            throw badRequest(name + " must be a whole number in " + min + ".." + max);
        }
        return n.intValue();
    }

    // ------------------------------------------------------------------ config

    Reply config() {
        return Reply.ok(ConfigView.of(context.config()), "read the configuration");
    }

    /** This node's view of its cluster: nodes, owned clients, routes, cross-node traffic, inbox length. */
    Reply cluster() {
        Map<String, Object> view = context.sessions().cluster().view();
        if (view.isEmpty()) {
            view = Map.of("node", context.config().nodeName(), "cluster", "none");
        }
        return Reply.ok(view, "read the cluster state");
    }

    // ------------------------------------------------------------------ parameters

    static String param(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw badRequest("parameter '" + name + "' given more than once");
        }
        return values.get(0);
    }

    static int intParam(Map<String, List<String>> query, String name, int def, int min, int max) {
        String v = param(query, name);
        if (v == null) {
            return def;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw badRequest(name + " must be a whole number in " + min + ".." + max + ", got '" + v + "'");
        }
    }
}
