package io.volantmq.plugins.httpauth;

import io.volantmq.plugin.api.AuthenticationRequest;
import io.volantmq.plugin.api.AuthenticationResult;
import io.volantmq.plugin.api.Authorizer;
import io.volantmq.plugin.api.ClientInfo;
import io.volantmq.plugin.api.Decision;
import io.volantmq.plugin.api.Plugin;
import io.volantmq.plugin.api.PluginContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Example plugin {@code http-auth}: asks an HTTP endpoint whether a client may connect, publish and subscribe,
 * and caches the answers. Each request is a JSON POST; the endpoint answers 200 with
 * {@code {"result":"allow"}}, {@code {"result":"deny"}} or {@code {"result":"ignore"}} (let the next provider or
 * the ACL file decide). Any other status or an unreachable endpoint: authentication fails (0x88 Server
 * unavailable, counted as a plugin failure), authorization denies.
 *
 * <p>Settings ({@code volantmq.plugin.http-auth.*}): {@code url} (required: authentication),
 * {@code aclUrl} (optional: authorization of publish and subscribe), {@code name} (the auth provider name a
 * listener lists in {@code volantmq.auth}, default {@code http}), {@code cacheSeconds} (default 60, 0 = off),
 * {@code cacheSize} (default 10000 answers per cache), {@code timeoutMillis} (default 1500).
 */
public final class HttpAuthPlugin implements Plugin {
    private HttpClient http;

    @Override
    public String id() {
        return "http-auth";
    }

    @Override
    public void start(PluginContext context) {
        String url = context.setting("url", null);
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("volantmq.plugin.http-auth.url is required");
        }
        URI authUri = URI.create(url.trim());
        String aclUrl = context.setting("aclUrl", null);
        long cacheMillis = 1000L * Long.parseLong(context.setting("cacheSeconds", "60").trim());
        int cacheSize = Integer.parseInt(context.setting("cacheSize", "10000").trim());
        Duration timeout = Duration.ofMillis(Long.parseLong(context.setting("timeoutMillis", "1500").trim()));
        // its own threads: the authorizer waits on the plugin executor for answers the client completes
        http = HttpClient.newBuilder().connectTimeout(timeout).build();
        AnswerCache<AuthenticationResult> logins = new AnswerCache<>(cacheSize, cacheMillis);
        String name = context.setting("name", "http").trim();
        context.registerAuthenticator(name, request -> authenticate(authUri, timeout, logins, request));
        if (aclUrl != null && !aclUrl.isBlank()) {
            context.registerAuthorizer(new HttpAuthorizer(URI.create(aclUrl.trim()), timeout,
                    new AnswerCache<>(cacheSize, cacheMillis)));
        }
        context.logger().info("authentication by {} as provider '{}'{}, answers cached {} s", authUri, name,
                aclUrl == null ? "" : ", authorization by " + aclUrl.trim(), cacheMillis / 1000);
    }

    private CompletionStage<AuthenticationResult> authenticate(URI uri, Duration timeout,
                                                               AnswerCache<AuthenticationResult> cache,
                                                               AuthenticationRequest r) {
        String password = r.password() == null ? "" : new String(r.password(), StandardCharsets.UTF_8);
        // the cache key holds a hash of the password, never the password
        String key = r.clientId() + "\u0000" + r.username() + "\u0000" + sha256(password);
        AuthenticationResult cached = cache.get(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        String body = "{" + Json.field("clientid", r.clientId()) + "," + Json.field("username", r.username()) + ","
                + Json.field("password", r.password() == null ? null : password) + "," + Json.field("listener", r.listener())
                + "," + Json.field("peer", r.remoteAddress()) + "}";
        return post(uri, body, timeout).thenApply(response -> {
            AuthenticationResult result = switch (Json.result(response)) {
                case "allow" -> AuthenticationResult.allow();
                case "deny" -> AuthenticationResult.deny(AuthenticationResult.BAD_USER_NAME_OR_PASSWORD,
                        "denied by " + uri);
                default -> AuthenticationResult.next();
            };
            cache.put(key, result);
            return result;
        });
    }

    private CompletableFuture<String> post(URI uri, String json, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(uri + " answered HTTP " + response.statusCode());
            }
            return response.body();
        });
    }

    /** Publish and subscribe checks; blocking (the broker runs it on this plugin's executor, with its timeout). */
    private final class HttpAuthorizer implements Authorizer {
        private final URI uri;
        private final Duration timeout;
        private final AnswerCache<Decision> cache;

        HttpAuthorizer(URI uri, Duration timeout, AnswerCache<Decision> cache) {
            this.uri = uri;
            this.timeout = timeout;
            this.cache = cache;
        }

        private Decision ask(ClientInfo client, String action, String topic) {
            String key = client.clientId() + "\u0000" + client.username() + "\u0000" + action + "\u0000" + topic;
            Decision cached = cache.get(key);
            if (cached != null) {
                return cached;
            }
            String body = "{" + Json.field("clientid", client.clientId()) + "," + Json.field("username", client.username())
                    + "," + Json.field("action", action) + "," + Json.field("topic", topic) + "}";
            String response = post(uri, body, timeout).join();
            Decision d = switch (Json.result(response)) {
                case "allow" -> Decision.ALLOW;
                case "deny" -> Decision.DENY;
                default -> Decision.NEXT;
            };
            cache.put(key, d);
            return d;
        }

        @Override
        public Decision mayPublish(ClientInfo client, String topic) {
            return ask(client, "publish", topic);
        }

        @Override
        public Decision maySubscribe(ClientInfo client, String filter) {
            return ask(client, "subscribe", filter);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
