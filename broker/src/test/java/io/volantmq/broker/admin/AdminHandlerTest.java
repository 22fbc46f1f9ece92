package io.volantmq.broker.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.BrokerEvents;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.persistence.StoreHealth;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.broker.BrokerContext;
import io.volantmq.broker.BrokerGauges;
import io.volantmq.broker.BrokerStats;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.memory.MemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin endpoints through the real HTTP codec and aggregator on an {@link EmbeddedChannel}, over
 * the real core (memory store); requests and responses as raw HTTP text.
 */
class AdminHandlerTest {
    private static final String TOKEN = "s3cret-token";
    private final AtomicReference<StoreHealth> health = new AtomicReference<>(new StoreHealth(true, null, 0, 0));
    private Store store;
    private BrokerContext context;
    private BrokerMetrics metrics;
    private AdminHandler handler;

    private void wire(MeterRegistry registry, String token) {
        metrics = new BrokerMetrics(registry);
        store = new MemoryProvider().open(new ProviderConfig("memory", Map.of()));
        BrokerConfig config = BrokerConfig.builder().listener("tcp://127.0.0.1:0").maxPacketSize(1024)
                .setting("adminToken", TOKEN).setting("tls.keyPassword", "hunter2").build();
        context = BrokerContext.wire(config, store, AccessControl.ALLOW_ALL, List.of(), metrics, BrokerEvents.NONE);
        BrokerStats stats = new BrokerStats(context, registry, health::get,
                List.of(new InetSocketAddress("127.0.0.1", 1883)), System.currentTimeMillis());
        BrokerGauges.register(stats);
        handler = new AdminHandler(stats, AdminAuth.ofToken(token));
    }

    private void wire() {
        wire(AdminServer.prometheusRegistry(), TOKEN);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    record Http(int status, Map<String, String> headers, String body) {
        Object json() {
            return Json.parse(body);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> object() {
            return (Map<String, Object>) json();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object json) {
        return (Map<String, Object>) json;
    }

    private Http raw(String request) {
        EmbeddedChannel channel = new EmbeddedChannel(
                new HttpServerCodec(AdminServer.MAX_INITIAL_LINE, AdminServer.MAX_HEADERS, 8192),
                new HttpObjectAggregator(AdminServer.MAX_BODY), handler);
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.UTF_8));
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        channel.finishAndReleaseAll();
        String text = out.toString();
        int split = text.indexOf("\r\n\r\n");
        assertThat(split).as("a response to " + request.lines().findFirst().orElse("")).isPositive();
        String[] head = text.substring(0, split).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < head.length; i++) {
            int colon = head[i].indexOf(':');
            headers.put(head[i].substring(0, colon).toLowerCase(Locale.ROOT), head[i].substring(colon + 1).trim());
        }
        return new Http(Integer.parseInt(head[0].split(" ")[1]), headers, text.substring(split + 4));
    }

    private Http call(String method, String uri, String token, String contentType, String body) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        return raw(method + " " + uri + " HTTP/1.1\r\nHost: localhost\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: " + bytes.length + "\r\n\r\n" + (body == null ? "" : body));
    }

    private Http get(String uri) {
        return call("GET", uri, TOKEN, null, null);
    }

    private Http post(String uri, String body) {
        return call("POST", uri, TOKEN, "application/json", body);
    }

    private Http delete(String uri) {
        return call("DELETE", uri, TOKEN, null, null);
    }

    // ------------------------------------------------------------------ open endpoints

    @Test
    void healthIsOpenAndTellsTheStoreState() {
        wire();
        Http up = call("GET", "/health", null, null, null);
        assertThat(up.status()).isEqualTo(200);
        assertThat(up.headers().get("content-type")).startsWith("application/json");
        assertThat(up.object()).containsEntry("status", "UP").containsEntry("ready", true)
                .containsEntry("live", true);
        assertThat(up.object().get("listeners")).isEqualTo(List.of("tcp://127.0.0.1:1883"));

        health.set(new StoreHealth(false, "connection refused", 1, 3));
        Http down = call("GET", "/health", null, null, null);
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.object()).containsEntry("status", "DOWN").containsEntry("ready", false);
        assertThat(map(down.object().get("store"))).containsEntry("lastError", "connection refused")
                .containsEntry("failedCalls", 3L);
        assertThat(call("GET", "/health/ready", null, null, null).status()).isEqualTo(503);
        assertThat(call("GET", "/health/live", null, null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/health/other", null, null, null).status()).isEqualTo(404);
    }

    @Test
    void metricsAreOpenInThePrometheusTextFormat() {
        wire();
        metrics.packetReceived(PacketType.PUBLISH);
        metrics.messageReceived(12);
        Http m = call("GET", "/metrics", null, null, null);
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.headers().get("content-type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(m.body()).contains("volantmq_packets_received_total{type=\"publish\"} 1.0")
                .contains("volantmq_messages_received_total 1.0")
                .contains("volantmq_clients_connected 0.0")
                .contains("volantmq_store_healthy 1.0")
                .contains("volantmq_messages_dropped_total{reason=\"queue_full\"} 0.0")
                .contains("volantmq_listener_clients{listener=\"tcp://127.0.0.1:1883\"} 0.0")
                .contains("jvm_memory_used_bytes");
        assertThat(m.body()).containsPattern("volantmq_info\\{node=\"volantmq\",version=\"[^\"]+\"} 1(\\.0)?\n");
    }

    @Test
    void metricsNeedAPrometheusRegistry() {
        wire(new SimpleMeterRegistry(), TOKEN);
        Http m = call("GET", "/metrics", null, null, null);
        assertThat(m.status()).isEqualTo(404);
        assertThat(m.object().get("error").toString()).contains("Prometheus");
    }

    // ------------------------------------------------------------------ credentials

    @Test
    void theApiRefusesRequestsWithoutTheToken() {
        wire();
        for (String auth : new String[] {null, "wrong", ""}) {
            Http r = call("GET", "/api/config", auth, null, null);
            assertThat(r.status()).as("token " + auth).isEqualTo(401);
            assertThat(r.headers().get("www-authenticate")).isEqualTo("Bearer realm=\"volantmq\"");
            assertThat(r.object()).containsKey("error");
        }
        Http basic = raw("GET /api/config HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YTpi\r\n\r\n");
        assertThat(basic.status()).isEqualTo(401);
        Http lower = raw("GET /api/config HTTP/1.1\r\nHost: x\r\nAuthorization: bearer " + TOKEN + "\r\n\r\n");
        assertThat(lower.status()).isEqualTo(200);
        // refused before anything runs: a refused publish publishes nothing
        assertThat(call("POST", "/api/publish", "wrong", "application/json", "{\"topic\":\"a\"}").status())
                .isEqualTo(401);
        assertThat(context.router().noSubscriberCount()).isZero();
    }

    @Test
    void withoutAnyCredentialsConfiguredTheApiIsClosed() {
        wire(AdminServer.prometheusRegistry(), null);
        Http r = call("GET", "/api/config", "anything", null, null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.object().get("error").toString()).contains("volantmq.adminToken");
        assertThat(call("GET", "/health", null, null, null).status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ API

    @Test
    void configIsShownWithSecretsMasked() {
        wire();
        Http r = get("/api/config");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).doesNotContain(TOKEN).doesNotContain("hunter2");
        assertThat(map(r.object().get("settings"))).containsEntry("adminToken", ConfigView.MASK)
                .containsEntry("tls.keyPassword", ConfigView.MASK);
        assertThat(r.object()).containsEntry("maxPacketSize", 1024L);
    }

    @Test
    void publishValidatesItsInput() {
        wire();
        assertThat(post("/api/publish", "{not json").status()).isEqualTo(400);
        assertThat(post("/api/publish", "[1]").status()).isEqualTo(400);
        assertThat(post("/api/publish", "{\"topic\":\"a/#\"}").status()).isEqualTo(400);
        assertThat(post("/api/publish", "{\"topic\":\"\"}").status()).isEqualTo(400);
        assertThat(post("/api/publish", "{\"payload\":\"x\"}").status()).isEqualTo(400);
        assertThat(post("/api/publish", "{\"topic\":\"a\",\"qos\":3}").status()).isEqualTo(400);
        assertThat(post("/api/publish", "{\"topic\":\"a\",\"qos\":1.5}").status()).isEqualTo(400);
        assertThat(post("/api/publish", "{\"topic\":\"a\",\"retain\":\"yes\"}").status()).isEqualTo(400);
        assertThat(post("/api/publish", "{\"topic\":\"a\",\"payload\":\"x\",\"payloadBase64\":\"eA==\"}").status())
                .isEqualTo(400);
        assertThat(post("/api/publish", "{\"topic\":\"a\",\"payloadBase64\":\"***\"}").status()).isEqualTo(400);
        assertThat(post("/api/publish", "{\"topic\":\"a\",\"payload\":\"" + "x".repeat(1025) + "\"}").status())
                .as("larger than maxPacketSize").isEqualTo(400);
        Http unknown = post("/api/publish", "{\"topic\":\"a\",\"qso\":1}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.object().get("error").toString()).contains("unknown field 'qso'");
        Http noType = call("POST", "/api/publish", TOKEN, null, "{\"topic\":\"a\"}");
        assertThat(noType.status()).isEqualTo(415);
        Http formType = call("POST", "/api/publish", TOKEN, "text/plain", "{\"topic\":\"a\"}");
        assertThat(formType.status()).isEqualTo(415);
        assertThat(context.router().noSubscriberCount()).as("nothing was published").isZero();
    }

    @Test
    void badJsonBodiesGetA400NamingTheProblem() {
        wire();
        for (String body : List.of("{not json", "{\"topic\":\"a\"} x", "{\"topic\":\"a\",\"topic\":\"b\"}",
                "{\"topic\":\"a\",}", "{\"topic\":'a'}", "{\"topic\":\"a\",\"qos\":NaN}", "/* c */ {\"topic\":\"a\"}")) {
            Http r = post("/api/publish", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.object().get("error").toString()).as(body).startsWith("bad JSON at offset");
        }
        // nesting is bounded (no stack overflow, a clear refusal); within the bound the body is read
        String deep = "{\"topic\":\"a\",\"x\":" + "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH) + "}";
        Http tooDeep = post("/api/publish", deep);
        assertThat(tooDeep.status()).isEqualTo(400);
        assertThat(tooDeep.object().get("error").toString()).contains("nesting depth (" + (Json.MAX_DEPTH + 1) + ")");
        String fits = "{\"topic\":\"a\",\"x\":" + "[".repeat(Json.MAX_DEPTH - 1) + "]".repeat(Json.MAX_DEPTH - 1) + "}";
        Http read = post("/api/publish", fits);
        assertThat(read.status()).isEqualTo(400);
        assertThat(read.object().get("error").toString()).contains("unknown field 'x'");
        assertThat(context.router().noSubscriberCount()).as("nothing was published").isZero();
    }

    @Test
    void publishRoutesAndRetainedMessagesCanBeListedAndDeleted() {
        wire();
        Http ok = post("/api/publish", "{\"topic\":\"room/1\",\"payload\":\"21.5\",\"qos\":1,\"retain\":true}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.object()).containsEntry("routed", false).containsEntry("bytes", 4L);
        assertThat(post("/api/publish", "{\"topic\":\"bin\",\"payloadBase64\":\"/w==\",\"retain\":true}").status())
                .isEqualTo(200);

        Http list = get("/api/retained");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.object()).containsEntry("total", 2L);
        List<?> messages = (List<?>) list.object().get("messages");
        Map<String, Object> bin = map(messages.get(0));
        assertThat(bin.get("topic")).isEqualTo("bin");
        assertThat(bin.get("payload")).as("not UTF-8").isNull();
        assertThat(bin.get("payloadBase64")).isEqualTo("/w==");
        assertThat(map(messages.get(1))).containsEntry("topic", "room/1").containsEntry("payload", "21.5")
                .containsEntry("qos", 1L);
        assertThat(get("/api/retained?filter=room/%2B").object()).containsEntry("total", 1L);
        assertThat(get("/api/retained?filter=a/%23/b").status()).isEqualTo(400);
        assertThat(get("/api/retained?limit=1&offset=1").object().get("messages")).asList().hasSize(1);

        assertThat(delete("/api/retained?topic=room/1").status()).isEqualTo(200);
        assertThat(context.retained().size()).isEqualTo(1);
        assertThat(delete("/api/retained?topic=room/1").status()).isEqualTo(404);
        assertThat(delete("/api/retained").status()).isEqualTo(400);
        assertThat(delete("/api/retained?topic=room/%2B").status()).isEqualTo(400);
    }

    @Test
    void clientsAndSubscriptionsAreListed() {
        wire();
        Http clients = get("/api/clients");
        assertThat(clients.status()).isEqualTo(200);
        assertThat(clients.object()).containsEntry("total", 0L).containsEntry("clients", List.of());
        assertThat(get("/api/clients/nobody").status()).isEqualTo(404);
        assertThat(post("/api/clients/nobody/disconnect", "").status()).isEqualTo(404);

        context.tree().subscribe("c1", "a/#", new SubscriptionOptions(1, false, false, 0, null));
        context.tree().subscribe("c2", "$share/g/b", new SubscriptionOptions(0, true, false, 7, "g"));
        Http subs = get("/api/subscriptions");
        assertThat(subs.object()).containsEntry("total", 2L);
        Http one = get("/api/subscriptions?client=c2");
        assertThat(one.object()).containsEntry("total", 1L);
        Map<String, Object> s = map(((List<?>) one.object().get("subscriptions")).get(0));
        assertThat(s).containsEntry("clientId", "c2").containsEntry("filter", "$share/g/b")
                .containsEntry("shareGroup", "g").containsEntry("subscriptionId", 7L).containsEntry("noLocal", true);
    }

    @Test
    void badRequestsGetAJsonError() {
        wire();
        assertThat(get("/api/clients?limit=0").status()).isEqualTo(400);
        assertThat(get("/api/clients?limit=1001").status()).isEqualTo(400);
        assertThat(get("/api/clients?limit=x").status()).isEqualTo(400);
        assertThat(get("/api/clients?offset=-1").status()).isEqualTo(400);
        assertThat(get("/api/clients?limit=1&limit=2").status()).isEqualTo(400);
        assertThat(get("/api/clients/%zz").status()).isEqualTo(400);
        Http unknown = get("/api/nothing");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.object()).containsEntry("status", 404L);
        assertThat(get("/nothing").status()).isEqualTo(404);
        Http wrongMethod = call("PUT", "/api/config", TOKEN, null, null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.headers().get("allow")).isEqualTo("GET");
        assertThat(get("/api/publish").headers().get("allow")).isEqualTo("POST");
        assertThat(call("POST", "/metrics", null, null, null).headers().get("allow")).isEqualTo("GET");
    }

    @Test
    void requestsAreBounded() {
        wire();
        Http tooLong = raw("GET /api/clients?" + "x".repeat(AdminServer.MAX_INITIAL_LINE) + " HTTP/1.1\r\n"
                + "Host: x\r\n\r\n");
        assertThat(tooLong.status()).isIn(400, 414);
        Http tooBig = raw("POST /api/publish HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + (AdminServer.MAX_BODY + 1) + "\r\n\r\n");
        assertThat(tooBig.status()).isEqualTo(413);
    }

    @Test
    void pathSegmentsAreDecodedOneByOne() {
        assertThat(AdminHandler.segments("/api/clients/a%2Fb+c/disconnect/"))
                .containsExactly("api", "clients", "a/b+c", "disconnect");
        assertThat(AdminHandler.segments("/")).isEmpty();
        assertThat(AdminHandler.segments("/api/clients/%C3%A9")).containsExactly("api", "clients", "é");
    }

    // ------------------------------------------------------------------ the dashboard and its endpoints

    @Test
    void theDashboardIsServedWithoutCredentialsUnderAStrictPolicy() {
        wire();
        Http root = call("GET", "/", null, null, null);
        assertThat(root.status()).isEqualTo(302);
        assertThat(root.headers().get("location")).isEqualTo("/dashboard/");
        Http page = call("GET", "/dashboard/", null, null, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().get("content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(page.headers().get("content-security-policy")).startsWith("default-src 'self'; script-src 'self';")
                .contains("frame-ancestors 'none'").doesNotContain("unsafe");
        assertThat(page.headers().get("x-frame-options")).isEqualTo("DENY");
        assertThat(page.headers().get("x-content-type-options")).isEqualTo("nosniff");
        assertThat(page.body()).contains("<script src=\"/dashboard/app.js\" defer></script>")
                .doesNotContain("<script>").doesNotContain("style=").doesNotContain("http://").doesNotContain("https://");
        assertThat(call("GET", "/dashboard", null, null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/dashboard/app.js", null, null, null).headers().get("content-type"))
                .isEqualTo("text/javascript; charset=utf-8");
        assertThat(call("GET", "/dashboard/style.css", null, null, null).headers().get("content-type"))
                .isEqualTo("text/css; charset=utf-8");
        // only the named files: no path from the request reaches the class path
        assertThat(call("GET", "/dashboard/..%2FAdminHandler.class", null, null, null).status()).isEqualTo(404);
        assertThat(call("GET", "/dashboard/../admin/Json.class", null, null, null).status()).isEqualTo(404);
        assertThat(call("GET", "/dashboard/a/app.js", null, null, null).status()).isEqualTo(404);
        assertThat(call("POST", "/dashboard/", null, null, null).status()).isEqualTo(405);
    }

    @Test
    void theDashboardsRequestsGetNoChallengeSoTheBrowserOpensNoDialog() {
        wire();
        Http plain = call("GET", "/api/stats", null, null, null);
        assertThat(plain.status()).isEqualTo(401);
        assertThat(plain.headers()).containsKey("www-authenticate");
        Http page = raw("GET /api/stats HTTP/1.1\r\nHost: x\r\nX-VolantMQ-Dashboard: 1\r\n\r\n");
        assertThat(page.status()).isEqualTo(401);
        assertThat(page.headers()).doesNotContainKey("www-authenticate");
    }

    @Test
    void statsSayWhatTheChartsDraw() {
        wire();
        metrics.messageReceived(3);
        metrics.messageReceived(3);
        metrics.messageSent(3);
        metrics.messageExpired();
        assertThat(post("/api/publish", "{\"topic\":\"r/1\",\"payload\":\"x\",\"retain\":true}").status())
                .isEqualTo(200);
        context.tree().subscribe("c1", "a/#", new SubscriptionOptions(1, false, false, 0, null));
        Http stats = get("/api/stats");
        assertThat(stats.status()).isEqualTo(200);
        assertThat(stats.object()).containsEntry("messagesReceived", 2L).containsEntry("messagesSent", 1L)
                .containsEntry("connected", 0L).containsEntry("retained", 1L).containsEntry("queued", 0L)
                .containsEntry("traces", 0L).containsEntry("node", "volantmq").containsKeys("version", "uptimeSeconds");
        assertThat(map(stats.object().get("dropped"))).containsEntry("expired", 1L).containsEntry("queue_full", 0L)
                .containsEntry("acl", 0L);
        assertThat(map(stats.object().get("store"))).containsEntry("healthy", true);
        assertThat(stats.object().get("listeners")).isEqualTo(List.of(
                Map.of("name", "tcp://127.0.0.1:1883", "clients", 0L)));
        assertThat(call("POST", "/api/stats", TOKEN, "application/json", "{}").status()).isEqualTo(405);
    }

    @Test
    void aTraceSeesMatchingMessagesUpToItsBoundAndThenLetsTheRouterGo() {
        wire();
        assertThat(context.router().tap()).as("no trace, no tap").isNull();
        Http started = post("/api/trace", "{\"filter\":\"t/#\",\"max\":2,\"seconds\":30}");
        assertThat(started.status()).isEqualTo(201);
        long id = (Long) started.object().get("id");
        assertThat(context.router().tap()).isNotNull();
        post("/api/publish", "{\"topic\":\"t/1\",\"payload\":\"one\"}");
        post("/api/publish", "{\"topic\":\"x/1\",\"payload\":\"other\"}");
        Http first = get("/api/trace/" + id + "?wait=0");
        assertThat(first.status()).isEqualTo(200);
        List<?> messages = (List<?>) first.object().get("messages");
        assertThat(messages).hasSize(1);
        assertThat(map(messages.get(0))).containsEntry("topic", "t/1").containsEntry("payload", "one")
                .containsEntry("from", AdminApi.ORIGIN).containsEntry("truncated", false);
        assertThat(first.object()).containsEntry("ended", false).containsEntry("seen", 1L);
        post("/api/publish", "{\"topic\":\"t/2\",\"payload\":\"" + "y".repeat(300) + "\"}");
        post("/api/publish", "{\"topic\":\"t/3\",\"payload\":\"past the bound\"}");
        Http last = get("/api/trace/" + id + "?wait=0");
        List<?> more = (List<?>) last.object().get("messages");
        assertThat(more).hasSize(1);
        assertThat(map(more.get(0))).containsEntry("bytes", 300L).containsEntry("truncated", true);
        assertThat(((String) map(more.get(0)).get("payload"))).hasSize(Tracer.PREVIEW_BYTES);
        assertThat(last.object()).containsEntry("ended", true).containsEntry("seen", 2L);
        assertThat(get("/api/trace/" + id + "?wait=0").status()).as("ended and read: gone").isEqualTo(404);
        assertThat(context.router().tap()).as("the last trace gone, the tap too").isNull();
    }

    @Test
    void tracesByClientAreBoundedAndStoppable() {
        wire();
        assertThat(post("/api/trace", "{}").status()).isEqualTo(400);
        assertThat(post("/api/trace", "{\"filter\":\"a\",\"clientId\":\"c\"}").status()).isEqualTo(400);
        assertThat(post("/api/trace", "{\"filter\":\"a/#/b\"}").status()).isEqualTo(400);
        assertThat(post("/api/trace", "{\"clientId\":\"\"}").status()).isEqualTo(400);
        assertThat(post("/api/trace", "{\"clientId\":\"c\",\"seconds\":601}").status()).isEqualTo(400);
        assertThat(post("/api/trace", "{\"clientId\":\"c\",\"max\":1001}").status()).isEqualTo(400);
        assertThat(post("/api/trace", "{\"clientId\":\"c\",\"other\":1}").status()).isEqualTo(400);
        assertThat(get("/api/trace/1?wait=21").status()).isEqualTo(404);
        long byClient = (Long) post("/api/trace", "{\"clientId\":\"$admin\"}").object().get("id");
        for (int i = 1; i < Tracer.MAX_TRACES; i++) {
            assertThat(post("/api/trace", "{\"filter\":\"#\"}").status()).isEqualTo(201);
        }
        Http tooMany = post("/api/trace", "{\"filter\":\"#\"}");
        assertThat(tooMany.status()).isEqualTo(429);
        assertThat(tooMany.object().get("error").toString()).contains("stop one first");
        assertThat(get("/api/trace/" + byClient + "?wait=21").status()).isEqualTo(400);
        post("/api/publish", "{\"topic\":\"any/topic\",\"payload\":\"p\"}");
        assertThat((List<?>) get("/api/trace/" + byClient + "?wait=0").object().get("messages")).hasSize(1);
        assertThat(delete("/api/trace/" + byClient).status()).isEqualTo(200);
        assertThat(delete("/api/trace/" + byClient).status()).isEqualTo(404);
        assertThat(post("/api/trace", "{\"filter\":\"#\"}").status()).as("room again").isEqualTo(201);
    }

    @Test
    void publishTakesMqtt5PropertiesAndRefusesBadOnes() {
        wire();
        assertThat(post("/api/publish", "{\"topic\":\"p\",\"payload\":\"x\",\"properties\":{\"contentType\":"
                + "\"text/plain\",\"responseTopic\":\"r/1\",\"correlationData\":\"c\",\"messageExpiryInterval\":60,"
                + "\"payloadFormatIndicator\":1,\"userProperties\":[{\"name\":\"k\",\"value\":\"v\"}]}}").status())
                .isEqualTo(200);
        for (String bad : List.of("{\"nope\":1}", "{\"responseTopic\":\"r/+\"}", "{\"messageExpiryInterval\":0}",
                "{\"messageExpiryInterval\":4294967296}", "{\"payloadFormatIndicator\":2}", "{\"contentType\":5}",
                "{\"userProperties\":{\"k\":\"v\"}}", "{\"userProperties\":[{\"name\":\"k\"}]}", "[]")) {
            Http r = post("/api/publish", "{\"topic\":\"p\",\"properties\":" + bad + "}");
            assertThat(r.status()).as(bad).isEqualTo(400);
        }
        assertThat(context.router().noSubscriberCount()).as("only the good one was routed").isEqualTo(1);
    }

    @Test
    void clientsCanBeSearchedAndSubscriptionsFoundByTopic() {
        wire();
        assertThat(get("/api/clients?q=abc").object()).containsEntry("total", 0L);
        context.tree().subscribe("c1", "a/#", new SubscriptionOptions(1, false, false, 0, null));
        context.tree().subscribe("c2", "$share/g/a/+", new SubscriptionOptions(0, false, false, 0, "g"));
        context.tree().subscribe("c3", "b/#", new SubscriptionOptions(0, false, false, 0, null));
        Http matching = get("/api/subscriptions?topic=a/x");
        assertThat(matching.object()).containsEntry("total", 2L);
        assertThat(get("/api/subscriptions?topic=a/%2B").status()).isEqualTo(400);
    }
}
