package io.volantmq.broker.auth;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.scram.ScramCredential;
import io.volantmq.broker.auth.scram.ScramCredentialStore;
import io.volantmq.broker.auth.scram.ScramSha256Mechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A broker's authentication and authorization: the auth provider chains of its listeners, the ACLs,
 * the small executor password hashing runs on and the reloader that keeps password files, ACL files
 * and certificates current. Opened from the config before the listeners, closed after them.
 *
 * <p>Settings (broker-wide {@code volantmq.*}; those marked per listener also as URI query parameters):
 * {@code auth} (per listener; default {@code anonymous}), {@code auth.<provider>.*} (per listener),
 * {@code acl.file} (no file: everything allowed), {@code auth.threads}, {@code auth.queue},
 * {@code reloadIntervalMillis}.
 */
public final class Security implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Security.class);
    public static final String DEFAULT_AUTH = "anonymous";

    private final Settings settings;
    private final AuthProviders providers;
    private final Reloader reloader;
    private final ThreadPoolExecutor slowWork;
    private final AccessControl accessControl;
    private final boolean aclFromFile;
    private final List<AuthChain> chains = new CopyOnWriteArrayList<>();

    private Security(Settings settings, AuthProviders providers) {
        this.settings = settings;
        this.providers = providers;
        this.reloader = new Reloader(settings.longValue("reloadIntervalMillis", 2000, 0, 86_400_000));
        int threads = settings.integer("auth.threads", Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                1, 256);
        int queue = settings.integer("auth.queue", 1000, 1, 1_000_000);
        AtomicInteger n = new AtomicInteger();
        this.slowWork = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue), r -> {
                    Thread t = new Thread(r, "volantmq-auth-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        slowWork.allowCoreThreadTimeOut(true);
        try {
            String acl = settings.get("acl.file");
            aclFromFile = acl != null;
            accessControl = acl == null ? AccessControl.ALLOW_ALL : new FileAccessControl(Path.of(acl), reloader);
            if (acl != null) {
                log.info("ACLs from {} (reloaded when it changes)", acl);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Reads {@code volantmq.*} settings of {@code config}; providers come from the broker's class loader. */
    public static Security open(BrokerConfig config) {
        return open(config, List.of());
    }

    /** As {@link #open(BrokerConfig)}, with providers the plugins added (a name twice fails). */
    public static Security open(BrokerConfig config, List<AuthProvider> pluginProviders) {
        List<AuthProvider> all = new ArrayList<>();
        java.util.ServiceLoader.load(AuthProvider.class, Security.class.getClassLoader()).forEach(all::add);
        all.addAll(pluginProviders);
        return open(Settings.global(config.settings()), AuthProviders.of(all));
    }

    public static Security open(Settings settings, AuthProviders providers) {
        return new Security(settings, providers);
    }

    public AccessControl accessControl() {
        return accessControl;
    }

    public Reloader reloader() {
        return reloader;
    }

    public AuthProviders providers() {
        return providers;
    }

    /**
     * What a listener's {@code auth} names: its provider chain for CONNECTs, and the MQTT 5 enhanced
     * authentication methods it allows, by method name.
     */
    public record ListenerAuth(AuthChain chain, Map<String, EnhancedAuthMechanism> methods) {
    }

    /**
     * The chain and methods named by {@code auth} in {@code listenerSettings}; the chain is closed with
     * this object. A method is allowed only where the chain names it [issue 18]: {@code file} brings
     * SCRAM-SHA-256 over that same password file ({@code auth.file.path} as this listener sees it);
     * a method's own name in the list (e.g. {@code auth=certificate,SCRAM-SHA-256}) allows the mechanism
     * of that name from {@code given} (those the embedder gave the broker). A method name nothing
     * provides, or a list of methods without any provider, fails here, naming the listener.
     */
    public ListenerAuth listenerAuth(String listener, Settings listenerSettings,
                                     Map<String, EnhancedAuthMechanism> given) {
        List<String> names = AuthProviders.names(listenerSettings.string("auth", DEFAULT_AUTH));
        List<String> providerNames = new ArrayList<>();
        Map<String, EnhancedAuthMechanism> methods = new LinkedHashMap<>();
        for (String name : names) {
            if (given.containsKey(name)) {
                methods.put(name, given.get(name));
            } else if (name.equals(ScramSha256Mechanism.METHOD) && !providers.byName().containsKey(name)) {
                if (!names.contains("file")) {
                    throw new IllegalArgumentException(listener + ": " + name + " (volantmq.auth) needs the file "
                            + "provider in the same list, whose password file holds the SCRAM credentials");
                }
            } else {
                providerNames.add(name);
            }
        }
        if (providerNames.isEmpty() && !names.isEmpty()) {
            throw listenerSettings.bad("auth", String.join(",", names),
                    "at least one auth provider besides enhanced authentication methods");
        }
        if (providerNames.contains("file") && !methods.containsKey(ScramSha256Mechanism.METHOD)) {
            methods.put(ScramSha256Mechanism.METHOD, fileScram(listenerSettings));
        }
        return new ListenerAuth(authenticator(listener, listenerSettings, providerNames),
                Collections.unmodifiableMap(methods));
    }

    /** SCRAM-SHA-256 over the password file the listener's file provider reads, reloaded as that is. */
    private EnhancedAuthMechanism fileScram(Settings listenerSettings) {
        String file = listenerSettings.get("auth.file.path");
        if (file == null) {
            throw listenerSettings.missing("auth.file.path", "the file auth provider needs a password file");
        }
        Path path = Path.of(file.trim());
        Reloader.Watched<PasswordFile> users = reloader.watch("password file " + path, List.of(path),
                () -> PasswordFile.read(path));
        return new ScramSha256Mechanism(new ScramCredentialStore() {
            @Override
            public Optional<ScramCredential> lookup(String user) {
                return Optional.ofNullable(users.current().scram(user));
            }

            @Override
            public OptionalInt unknownUserIterations() {
                return users.current().scramDecoyIterations();
            }
        });
    }

    /** The chain named by {@code auth} in {@code listenerSettings}; closed with this object. */
    public AuthChain authenticator(String listener, Settings listenerSettings) {
        return authenticator(listener, listenerSettings,
                AuthProviders.names(listenerSettings.string("auth", DEFAULT_AUTH)));
    }

    private AuthChain authenticator(String listener, Settings listenerSettings, List<String> names) {
        AuthChain chain = providers.chain(names, listener, listenerSettings, slowWork, reloader);
        int anonymous = names.indexOf("anonymous");
        if (aclFromFile && anonymous >= 0
                && !listenerSettings.bool("auth.anonymous.onlyWithoutCredentials", false)) {
            log.warn("{}: the anonymous provider admits any user name a client claims, and ACL rules for that "
                    + "user then apply; set volantmq.auth.anonymous.onlyWithoutCredentials=true unless that is "
                    + "intended", listener);
        }
        chains.add(chain);
        return chain;
    }

    /** For a caller other than a listener (an admin endpoint): a chain over the broker-wide settings. */
    public AuthChain authenticator(String caller, String providerNames) {
        return providers.chain(AuthProviders.names(providerNames), caller, settings, slowWork, reloader);
    }

    /**
     * The small bounded executor password hashing runs on (it rejects when its queue is full); the
     * admin endpoint's Basic checks run here too, never on the admin thread.
     */
    public Executor slowWork() {
        return slowWork;
    }

    @Override
    public void close() {
        chains.forEach(AuthChain::close);
        chains.clear();
        reloader.close();
        slowWork.shutdownNow();
    }
}
