package io.volantmq.broker.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import io.volantmq.broker.LogSafe;
import io.volantmq.broker.config.ReloadReport;
import io.volantmq.broker.BrokerStats;
import io.volantmq.persistence.PersistenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The admin endpoints over HTTP/1.1. {@code /health} and {@code /metrics} answer everyone; every
 * {@code /api/...} request needs credentials ({@link AdminAuth}) and is logged at INFO, one line per
 * request, naming who did what (the two reads the dashboard repeats, stats and trace polls, at DEBUG).
 * Requests are answered on the admin worker thread (they may wait for the store, a password check or
 * the MQTT event loops), never on an event loop.
 *
 * <pre>
 *   GET    /health  /health/live  /health/ready
 *   GET    /metrics                              Prometheus text format
 *   GET    /api/clients?limit=&offset=           sessions, online or not
 *   GET    /api/clients/{clientId}               one session (percent-encode '/' in the id)
 *   POST   /api/clients/{clientId}/disconnect    MQTT 5 DISCONNECT 0x98, then close
 *   GET    /api/subscriptions?client=&limit=&offset=
 *   GET    /api/retained?filter=&limit=&offset=
 *   DELETE /api/retained?topic=
 *   POST   /api/publish                          {"topic", "payload" | "payloadBase64", "qos", "retain"}
 *   GET    /api/config                           secrets masked
 *   GET    /api/stats                            counters and state now (the dashboard samples it)
 *   POST   /api/trace                            {"filter" | "clientId", "seconds", "max"}: start a trace
 *   GET    /api/trace/{id}?wait=                 its messages since the last poll (long poll, at most 20 s)
 *   DELETE /api/trace/{id}                       stop it
 *   GET    /dashboard/...                        the web dashboard (static files; it calls /api itself)
 *   GET    /api/cluster                          nodes (alive, clients, inbox), routes, cross-node traffic, fencing
 *   GET    /api/bridges                          broker modules' read-only state (when the module runs)
 * </pre>
 * POST requests must say {@code Content-Type: application/json}: a browser cannot send that to
 * another site without a CORS preflight, which this server never grants, so a page cannot ride on
 * credentials a browser remembered.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final String JSON = "application/json; charset=utf-8";
    /** Sent by the dashboard's page with every /api call. */
    static final String DASHBOARD_HEADER = "X-VolantMQ-Dashboard";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final AdminApi api;
    private final Supplier<ReloadReport> reload;
    private final AdminAuth auth;
    private final PrometheusMeterRegistry prometheus;
    private final Executor worker;
    private final Dashboard dashboard = new Dashboard();
    /** Read-only resources of broker modules ({@code GET /api/bridges}), by name. */
    private final Map<String, Supplier<Object>> moduleViews;
    /** The answer a connection's latest request waits for; the next one is answered after it. */
    private static final AttributeKey<CompletableFuture<Void>> IN_PROGRESS =
            AttributeKey.valueOf(AdminHandler.class, "inProgress");
    private final AtomicLong refusals = new AtomicLong();
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - 2_000_000_000L);

    /** Answers on the caller's thread (tests). */
    AdminHandler(BrokerStats stats, AdminAuth auth) {
        this(stats, auth, null, null);
    }

    /** @param reload what {@code POST /api/reload} runs; null: that endpoint answers 404 */
    AdminHandler(BrokerStats stats, AdminAuth auth, Executor worker, Supplier<ReloadReport> reload) {
        this(stats, auth, worker, reload, Map.of());
    }

    /** @param moduleViews {@code GET /api/<name>} answers of broker modules */
    AdminHandler(BrokerStats stats, AdminAuth auth, Executor worker, Supplier<ReloadReport> reload,
                 Map<String, Supplier<Object>> moduleViews) {
        this.moduleViews = Map.copyOf(moduleViews);
        this.api = new AdminApi(stats);
        this.reload = reload;
        this.auth = auth;
        this.prometheus = prometheus(stats.registry());
        this.worker = worker == null ? Runnable::run : worker;
    }

    /** The Prometheus registry the broker's meters are in, or null (an embedder chose another registry). */
    static PrometheusMeterRegistry prometheus(MeterRegistry registry) {
        if (registry instanceof PrometheusMeterRegistry p) {
            return p;
        }
        if (registry instanceof CompositeMeterRegistry composite) {
            for (MeterRegistry r : composite.getRegistries()) {
                PrometheusMeterRegistry p = prometheus(r);
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    /**
     * Hands the request to the worker thread. A connection's requests are answered one after the
     * other, in order (its reads pause meanwhile, so pipelined requests wait in the socket, not here);
     * different connections do not wait for each other, and a Basic password check waits on the
     * hashing executor, not on the worker. Without a worker (tests) everything runs at once.
     */
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        Channel channel = ctx.channel();
        request.retain();
        channel.config().setAutoRead(false);
        CompletableFuture<Void> previous = channel.attr(IN_PROGRESS).get();
        CompletableFuture<Void> done = (previous == null ? CompletableFuture.<Void>completedFuture(null) : previous)
                .thenComposeAsync(ignored -> answer(ctx, request), worker);
        channel.attr(IN_PROGRESS).set(done);
        done.whenComplete((ignored, error) -> {
            request.release();
            if (error != null) { // the worker refused: the server is stopping
                ctx.close();
                return;
            }
            try {
                ctx.executor().execute(() -> {
                    if (channel.attr(IN_PROGRESS).compareAndSet(done, null)) {
                        channel.config().setAutoRead(true);
                    }
                });
            } catch (RejectedExecutionException e) {
                ctx.close(); // stopping
            }
        });
    }

    private CompletableFuture<Void> answer(ChannelHandlerContext ctx, FullHttpRequest request) {
        CompletableFuture<Response> response;
        try {
            response = handle(ctx, request);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return response.exceptionally(e -> failure(request, e)).thenAccept(r -> write(ctx, request, r));
    }

    /** An exception while handling, as the response it stands for. */
    private static Response failure(FullHttpRequest request, Throwable thrown) {
        Throwable e = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
        if (e instanceof MethodNotAllowed m) {
            return notAllowed(m.allow);
        }
        if (e instanceof AdminApi.ApiException api) {
            return error(api.status, api.getMessage());
        }
        if (e instanceof PersistenceException) {
            return error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the store is failing: " + e.getMessage());
        }
        log.error("admin API: {} {} failed", request.method(), LogSafe.escape(request.uri()), e);
        return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
    }

    /** A response before it becomes HTTP: status, content type, body, extra headers. */
    record Response(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {
    }

    private CompletableFuture<Response> handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        String first = request.decoderResult().isSuccess() ? firstSegment(request.uri()) : "";
        if (first.equals("api")) {
            return api(ctx, request);
        }
        return CompletableFuture.completedFuture(open(request));
    }

    private static String firstSegment(String uri) {
        try {
            List<String> path = segments(new QueryStringDecoder(uri).rawPath());
            return path.isEmpty() ? "" : path.get(0);
        } catch (IllegalArgumentException e) {
            return ""; // answered as malformed below
        }
    }

    /** Everything but /api: answered at once, without credentials. */
    private Response open(FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            return error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
        }
        QueryStringDecoder uri;
        Map<String, List<String>> query;
        List<String> path;
        try {
            uri = new QueryStringDecoder(request.uri());
            query = uri.parameters();
            path = segments(uri.rawPath());
        } catch (IllegalArgumentException e) {
            return error(HttpResponseStatus.BAD_REQUEST, "malformed request URI: " + e.getMessage());
        }
        HttpMethod method = request.method();
        String first = path.isEmpty() ? "" : path.get(0);
        switch (first) {
            case "" -> {
                if (!method.equals(HttpMethod.GET)) {
                    return notAllowed("GET");
                }
                return Dashboard.redirect();
            }
            case Dashboard.PREFIX -> {
                if (!method.equals(HttpMethod.GET)) {
                    return notAllowed("GET");
                }
                return dashboard.file(path);
            }
            case "health" -> {
                if (path.size() > 2 || (path.size() == 2 && !path.get(1).equals("live")
                        && !path.get(1).equals("ready"))) {
                    return error(HttpResponseStatus.NOT_FOUND, "no such endpoint");
                }
                if (!method.equals(HttpMethod.GET)) {
                    return notAllowed("GET");
                }
                boolean liveOnly = path.size() == 2 && path.get(1).equals("live");
                return json(api.health(!liveOnly));
            }
            case "metrics" -> {
                if (path.size() != 1) {
                    return error(HttpResponseStatus.NOT_FOUND, "no such endpoint");
                }
                if (!method.equals(HttpMethod.GET)) {
                    return notAllowed("GET");
                }
                if (prometheus == null) {
                    return error(HttpResponseStatus.NOT_FOUND, "the broker's meters are not in a Prometheus "
                            + "registry (an embedder passed another one to Broker.builder().meterRegistry)");
                }
                return new Response(HttpResponseStatus.OK, PROMETHEUS_TEXT,
                        prometheus.scrape().getBytes(StandardCharsets.UTF_8), Map.of());
            }
            default -> {
                return error(HttpResponseStatus.NOT_FOUND, "no such endpoint; see /health, /metrics, /api/...");
            }
        }
    }

    /** Credentials first (perhaps a slow password check elsewhere), then the call, on the worker. */
    private CompletableFuture<Response> api(ChannelHandlerContext ctx, FullHttpRequest request) {
        SocketAddress remote = ctx.channel().remoteAddress();
        return auth.check(request.headers().get(HttpHeaderNames.AUTHORIZATION), remote)
                .thenComposeAsync(decision -> api(request, remote, decision), worker);
    }

    private CompletableFuture<Response> api(FullHttpRequest request, SocketAddress remote,
                                            AdminAuth.Decision decision) {
        HttpMethod method = request.method();
        if (!decision.allowed()) {
            logRefusal(remote, method, request.uri(), decision.refusal());
            if (decision.busy()) {
                Response busy = error(HttpResponseStatus.SERVICE_UNAVAILABLE, decision.refusal());
                return done(new Response(busy.status(), busy.contentType(), busy.body(),
                        Map.of(HttpHeaderNames.RETRY_AFTER.toString(), "1")));
            }
            Response refused = error(HttpResponseStatus.UNAUTHORIZED, decision.refusal());
            // the dashboard says so: no challenge for it, or the browser would open its own login dialog
            return done(request.headers().contains(DASHBOARD_HEADER) ? refused
                    : new Response(refused.status(), refused.contentType(), refused.body(),
                    Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(), auth.challenge())));
        }
        List<String> path;
        Map<String, List<String>> query;
        try {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            path = segments(uri.rawPath());
            query = uri.parameters();
        } catch (IllegalArgumentException e) {
            return done(error(HttpResponseStatus.BAD_REQUEST, "malformed request URI: " + e.getMessage()));
        }
        if (method.equals(HttpMethod.POST) && !jsonContent(request)) {
            return done(error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "POST needs Content-Type: application/json"));
        }
        CompletableFuture<AdminApi.Reply> reply;
        try {
            reply = path.size() == 3 && path.get(1).equals("trace") && method.equals(HttpMethod.GET)
                    ? pollTrace(path.get(2), query) : CompletableFuture.completedFuture(route(request, method, path, query));
        } catch (AdminApi.ApiException e) {
            log.info("admin API: {} from {}: {} {} refused -> {} ({})", LogSafe.escape(decision.principal()),
                    address(remote), method, LogSafe.escape(request.uri()), e.status.code(),
                    LogSafe.escape(e.getMessage()));
            throw e;
        }
        return reply.thenApply(r -> {
            if (r.quiet()) {
                log.debug("admin API: {} from {}: {} -> {}", LogSafe.escape(decision.principal()), address(remote),
                        LogSafe.escape(r.summary()), r.status().code());
            } else {
                log.info("admin API: {} from {}: {} -> {}", LogSafe.escape(decision.principal()), address(remote),
                        LogSafe.escape(r.summary()), r.status().code());
            }
            return json(r);
        });
    }

    /** Waits (without holding the worker) until the trace has records or ends, or {@code wait} seconds pass. */
    private CompletableFuture<AdminApi.Reply> pollTrace(String id, Map<String, List<String>> query) {
        Tracer.Trace trace = api.trace(id);
        int wait = AdminApi.intParam(query, "wait", Tracer.MAX_WAIT_SECONDS, 0, Tracer.MAX_WAIT_SECONDS);
        return trace.ready(api.tracer().now(), wait * 1000L).thenApplyAsync(ignored -> api.pollTrace(trace), worker);
    }

    private static CompletableFuture<Response> done(Response response) {
        return CompletableFuture.completedFuture(response);
    }

    private AdminApi.Reply route(FullHttpRequest request, HttpMethod method, List<String> path,
                                 Map<String, List<String>> query) {
        String resource = path.size() > 1 ? path.get(1) : "";
        int size = path.size();
        switch (resource) {
            case "clients" -> {
                if (size == 2) {
                    require(method, HttpMethod.GET);
                    return api.clients(query);
                }
                if (size == 3) {
                    require(method, HttpMethod.GET);
                    return api.client(path.get(2));
                }
                if (size == 4 && path.get(3).equals("disconnect")) {
                    require(method, HttpMethod.POST);
                    return api.disconnect(path.get(2));
                }
            }
            case "subscriptions" -> {
                if (size == 2) {
                    require(method, HttpMethod.GET);
                    return api.subscriptions(query);
                }
            }
            case "retained" -> {
                if (size == 2) {
                    if (method.equals(HttpMethod.DELETE)) {
                        return api.deleteRetained(query);
                    }
                    require(method, HttpMethod.GET, HttpMethod.DELETE);
                    return api.retained(query);
                }
            }
            case "publish" -> {
                if (size == 2) {
                    require(method, HttpMethod.POST);
                    return api.publish(body(request));
                }
            }
            case "stats" -> {
                if (size == 2) {
                    require(method, HttpMethod.GET);
                    return api.stats();
                }
            }
            case "trace" -> {
                if (size == 2) {
                    require(method, HttpMethod.POST);
                    return api.startTrace(body(request));
                }
                if (size == 3) {
                    require(method, HttpMethod.GET, HttpMethod.DELETE);
                    return api.stopTrace(path.get(2));
                }
            }
            case "config" -> {
                if (size == 2) {
                    require(method, HttpMethod.GET);
                    return api.config();
                }
            }
            case "cluster" -> {
                if (size == 2) {
                    require(method, HttpMethod.GET);
                    return api.cluster();
                }
            }
            case "reload" -> {
                if (size == 2 && reload != null) {
                    require(method, HttpMethod.POST);
                    ReloadReport report = reload.get();
                    return new AdminApi.Reply(report.errors().isEmpty() ? HttpResponseStatus.OK
                            : HttpResponseStatus.UNPROCESSABLE_ENTITY, report.toMap(), "reload: " + report);
                }
            }
            default -> {
                Supplier<Object> view = moduleViews.get(resource);
                if (view != null && size == 2) {
                    require(method, HttpMethod.GET);
                    return AdminApi.Reply.ok(view.get(), "GET /api/" + resource);
                }
            }
        }
        throw AdminApi.notFound("no such endpoint: " + String.join("/", path));
    }

    private static void require(HttpMethod method, HttpMethod... allowed) {
        for (HttpMethod m : allowed) {
            if (m.equals(method)) {
                return;
            }
        }
        List<String> names = new ArrayList<>();
        for (HttpMethod m : allowed) {
            names.add(m.name());
        }
        throw new MethodNotAllowed(String.join(", ", names));
    }

    /** 405 with the Allow header. */
    private static final class MethodNotAllowed extends AdminApi.ApiException {
        final String allow;

        MethodNotAllowed(String allow) {
            super(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed; allowed: " + allow);
            this.allow = allow;
        }
    }

    private static boolean jsonContent(FullHttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null) {
            return false;
        }
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().equalsIgnoreCase("application/json");
    }

    private static String body(FullHttpRequest request) {
        ByteBuf content = request.content();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(content.nioBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw AdminApi.badRequest("the body is not UTF-8");
        }
    }

    /** Path segments, each percent-decoded on its own (so {@code %2F} stays inside a client id). */
    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String raw : rawPath.split("/")) {
            if (!raw.isEmpty()) {
                // URLDecoder is for forms: keep '+' as itself, as in a path
                out.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** A refused request is logged at most once a second, with how many there were, so a flood cannot flood the log. */
    private void logRefusal(SocketAddress remote, HttpMethod method, String uri, String why) {
        long n = refusals.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if (now - last >= 1_000_000_000L && lastRefusalLog.compareAndSet(last, now)) {
            refusals.addAndGet(-n);
            log.warn("admin API: refused {} {} from {}: {} ({} refused in the last second)", method,
                    LogSafe.escape(uri), address(remote), LogSafe.escape(why), n);
        }
    }

    private static String address(SocketAddress a) {
        return a instanceof InetSocketAddress inet ? inet.getHostString() + ":" + inet.getPort() : String.valueOf(a);
    }

    private static Response json(AdminApi.Reply reply) {
        return new Response(reply.status(), JSON, Json.write(reply.body()).getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Response error(HttpResponseStatus status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status.code());
        return new Response(status, JSON, Json.write(body).getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static Response notAllowed(String allow) {
        Response r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed; allowed: " + allow);
        return new Response(r.status(), r.contentType(), r.body(), Map.of(HttpHeaderNames.ALLOW.toString(), allow));
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, Response response) {
        Response r = response;
        FullHttpResponse http = new DefaultFullHttpResponse(request.protocolVersion(), r.status(),
                Unpooled.wrappedBuffer(r.body()));
        http.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        http.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        http.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        http.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().forEach((k, v) -> http.headers().set(k, v));
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !request.decoderResult().isFailure();
        if (keepAlive) {
            if (!request.protocolVersion().isKeepAliveDefault()) {
                http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(http);
        } else {
            http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(http).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // read timeouts and resets: nothing to answer
        log.debug("admin connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
