package io.volantmq.broker.admin;

import io.volantmq.broker.auth.AuthChain;
import io.volantmq.broker.auth.AuthProviders;
import io.volantmq.broker.auth.AuthRequest;
import io.volantmq.broker.auth.AuthResult;
import io.volantmq.broker.auth.Security;
import io.volantmq.broker.auth.Settings;

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
import java.util.concurrent.TimeUnit;

/**
 * Who may use the admin API: {@code Authorization: Bearer <volantmq.adminToken>}, or
 * {@code Authorization: Basic} credentials of a user in {@code volantmq.adminUsers} that the auth
 * provider chain {@code volantmq.adminAuth} (e.g. {@code file}) accepts; {@code volantmq.admin.<key>}
 * overrides a provider setting for the admin API only (e.g. {@code admin.auth.file.path}, a password
 * file of its own). Without a token or a chain the API refuses everyone. The {@code anonymous}
 * provider is refused in {@code adminAuth}: it would admit any password.
 * Successful Basic credentials are remembered (as a SHA-256 digest) for a minute, so a script's
 * calls do not each pay for a deliberately slow password hash.
 */
final class AdminAuth implements AutoCloseable {
    private static final long REMEMBER_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int REMEMBERED_MAX = 64;

    private final byte[] token;
    private final AuthChain chain;
    private final Set<String> users;
    private final Map<String, Long> remembered = new LinkedHashMap<>();

    /** The outcome: {@code principal} names who is acting, for the log; null when refused. */
    record Decision(String principal, String refusal) {
        boolean allowed() {
            return principal != null;
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
            // the password check runs inline: the admin worker thread waits for it anyway
            chain = security.providers().chain(names, "admin API", new Settings(overrides, settings.global(),
                    "admin API"), Runnable::run, security.reloader());
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

    /** Checks an Authorization header; may block for a password check (runs on the admin worker thread). */
    Decision check(String authorization, SocketAddress remote) {
        if (!configured()) {
            return new Decision(null, "the admin API is closed: set volantmq.adminToken or volantmq.adminAuth");
        }
        if (authorization == null || authorization.isBlank()) {
            return new Decision(null, "credentials required");
        }
        int space = authorization.indexOf(' ');
        String scheme = space < 0 ? authorization : authorization.substring(0, space);
        String value = space < 0 ? "" : authorization.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer") && token != null) {
            // constant time: the comparison must not tell how much of a guess was right
            return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), token)
                    ? new Decision("token", null) : new Decision(null, "wrong token");
        }
        if (scheme.equalsIgnoreCase("Basic") && chain != null) {
            return basic(value, remote);
        }
        return new Decision(null, "unsupported authorization scheme");
    }

    private Decision basic(String encoded, SocketAddress remote) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Decision(null, "malformed Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return new Decision(null, "malformed Basic credentials");
        }
        String user = decoded.substring(0, colon);
        if (!users.contains(user)) {
            return new Decision(null, "user '" + user + "' is not in volantmq.adminUsers");
        }
        byte[] password = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        String digest = digest(decoded);
        if (rememberedRecently(digest)) {
            return new Decision("user " + user, null);
        }
        AuthResult result;
        try {
            result = chain.authenticate(new AuthRequest("admin", "", user, password, remote, List.of(), null))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Decision(null, "interrupted");
        } catch (Exception e) {
            return new Decision(null, "auth providers failed: " + e.getMessage());
        }
        if (!result.allowed()) {
            return new Decision(null, result.reason() == null ? "refused" : result.reason());
        }
        remember(digest);
        return new Decision("user " + user, null);
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
