package io.volantmq.broker.admin;

import io.volantmq.broker.auth.AuthChain;
import io.volantmq.broker.auth.AuthProviders;
import io.volantmq.broker.auth.AuthRequest;
import io.volantmq.broker.auth.AuthResult;
import io.volantmq.broker.auth.Security;
import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.protocol.ReasonCode;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Who may use the admin API: {@code Authorization: Bearer <volantmq.adminToken>}, or
 * {@code Authorization: Basic} credentials of a user in {@code volantmq.adminUsers} that the auth
 * provider chain {@code volantmq.adminAuth} (e.g. {@code file}) accepts; {@code volantmq.admin.<key>}
 * overrides a provider setting for the admin API only (e.g. {@code admin.auth.file.path}, a password
 * file of its own). Without a token or a chain the API refuses everyone. The {@code anonymous}
 * provider is refused in {@code adminAuth}: it would admit any password.
 *
 * <p>A Basic check runs on the broker's password-hashing executor ({@link Security#slowWork()}), never
 * on the admin thread, so slow checks cannot hold up {@code /health}, {@code /metrics} or other
 * requests; at most {@link #MAX_CONCURRENT_CHECKS} run at once (more are answered "busy", 503), so the
 * admin API cannot take that executor from MQTT logins. Successful Basic credentials are remembered
 * (as a SHA-256 digest, never the password) for a minute: a script's calls then do not each pay for
 * a deliberately slow hash nor take a check slot. The price: a password removed from the file keeps
 * working for up to a minute for a client that used it just before.
 */
final class AdminAuth implements AutoCloseable {
    private static final long REMEMBER_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int REMEMBERED_MAX = 64;
    /** Basic checks in progress at once: a hash keeps a core busy, and MQTT logins share the executor. */
    static final int MAX_CONCURRENT_CHECKS = 2;
    /** A provider that has not answered by then is taken as a refusal. */
    private static final long CHECK_TIMEOUT_SECONDS = 10;

    private final byte[] token;
    private final AuthChain chain;
    private final Set<String> users;
    private final Map<String, Long> remembered = new LinkedHashMap<>();
    private final Semaphore checks = new Semaphore(MAX_CONCURRENT_CHECKS);

    /**
     * The outcome: {@code principal} names who is acting, for the log; null when refused.
     * {@code busy}: refused because no check could run now (503, try again), not for the credentials.
     */
    record Decision(String principal, String refusal, boolean busy) {
        Decision(String principal, String refusal) {
            this(principal, refusal, false);
        }

        boolean allowed() {
            return principal != null;
        }

        CompletableFuture<Decision> now() {
            return CompletableFuture.completedFuture(this);
        }
    }

    private AdminAuth(byte[] token, AuthChain chain, Set<String> users) {
        this.token = token;
        this.chain = chain;
        this.users = users;
    }

    static AdminAuth open(Settings settings, Security security) {
        String t = settings.get("adminToken");
        String providers = settings.get("adminAuth");
        AuthChain chain = null;
        Set<String> users = Set.of();
        if (providers != null) {
            List<String> names = AuthProviders.names(providers);
            if (names.contains("anonymous")) {
                throw settings.bad("adminAuth", providers, "auth providers that check credentials (not anonymous)");
            }
            String allowed = settings.get("adminUsers");
            if (allowed == null) {
                throw settings.missing("adminUsers", "volantmq.adminAuth needs the user names that may administer "
                        + "the broker (otherwise every MQTT user could)");
            }
            users = Set.copyOf(AuthProviders.names(allowed));
            // volantmq.admin.auth.file.path=... overrides auth.file.path for the admin API only
            Map<String, String> overrides = new HashMap<>();
            settings.global().forEach((k, v) -> {
                if (k.startsWith("admin.")) {
                    overrides.put(k.substring("admin.".length()), v);
                }
            });
            // password hashes run on the broker's bounded hashing executor, not the admin thread
            chain = security.providers().chain(names, "admin API", new Settings(overrides, settings.global(),
                    "admin API"), security.slowWork(), security.reloader());
        }
        return new AdminAuth(t == null ? null : t.getBytes(StandardCharsets.UTF_8), chain, users);
    }

    /** For tests: a token only. */
    static AdminAuth ofToken(String token) {
        return new AdminAuth(token == null ? null : token.getBytes(StandardCharsets.UTF_8), null, Set.of());
    }

    boolean configured() {
        return token != null || chain != null;
    }

    String challenge() {
        return chain == null ? "Bearer realm=\"volantmq\"" : "Bearer realm=\"volantmq\", Basic realm=\"volantmq\"";
    }

    /**
     * Checks an Authorization header. A token or remembered credentials are decided at once; a Basic
     * password check completes later, on the hashing executor's thread.
     */
    CompletableFuture<Decision> check(String authorization, SocketAddress remote) {
        if (!configured()) {
            return new Decision(null, "the admin API is closed: set volantmq.adminToken or volantmq.adminAuth").now();
        }
        if (authorization == null || authorization.isBlank()) {
            return new Decision(null, "credentials required").now();
        }
        int space = authorization.indexOf(' ');
        String scheme = space < 0 ? authorization : authorization.substring(0, space);
        String value = space < 0 ? "" : authorization.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer") && token != null) {
            // constant time: the comparison must not tell how much of a guess was right
            return (MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), token)
                    ? new Decision("token", null) : new Decision(null, "wrong token")).now();
        }
        if (scheme.equalsIgnoreCase("Basic") && chain != null) {
            return basic(value, remote);
        }
        return new Decision(null, "unsupported authorization scheme").now();
    }

    private CompletableFuture<Decision> basic(String encoded, SocketAddress remote) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Decision(null, "malformed Basic credentials").now();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return new Decision(null, "malformed Basic credentials").now();
        }
        String user = decoded.substring(0, colon);
        if (!users.contains(user)) {
            return new Decision(null, "user '" + user + "' is not in volantmq.adminUsers").now();
        }
        byte[] password = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        String digest = digest(decoded);
        if (rememberedRecently(digest)) {
            return new Decision("user " + user, null).now();
        }
        if (!checks.tryAcquire()) {
            return new Decision(null, MAX_CONCURRENT_CHECKS + " password checks in progress; try again", true).now();
        }
        CompletableFuture<AuthResult> running;
        try {
            running = chain.authenticate(new AuthRequest("admin", "", user, password, remote, List.of(), null))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            checks.release();
            return new Decision(null, "auth providers failed: " + e.getMessage()).now();
        }
        // the slot is free once the check itself ends, not when the caller stops waiting for it
        running.whenComplete((result, error) -> checks.release());
        return running.copy().orTimeout(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS).handle((result, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                return cause instanceof TimeoutException
                        ? new Decision(null, "the password check took longer than " + CHECK_TIMEOUT_SECONDS + " s",
                                true)
                        : new Decision(null, "auth providers failed: " + cause.getMessage());
            }
            if (!result.allowed()) {
                return new Decision(null, result.reason() == null ? "refused" : result.reason(),
                        result.reasonCode() == ReasonCode.SERVER_BUSY);
            }
            remember(digest);
            return new Decision("user " + user, null);
        });
    }

    private synchronized boolean rememberedRecently(String digest) {
        Long until = remembered.get(digest);
        if (until != null && System.nanoTime() - until < 0) {
            return true;
        }
        remembered.remove(digest);
        return false;
    }

    private synchronized void remember(String digest) {
        if (remembered.size() >= REMEMBERED_MAX) {
            remembered.remove(remembered.keySet().iterator().next());
        }
        remembered.put(digest, System.nanoTime() + REMEMBER_NANOS);
    }

    private static String digest(String credentials) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(credentials.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (chain != null) {
            chain.close();
        }
    }
}
