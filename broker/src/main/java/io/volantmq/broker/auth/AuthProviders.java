package io.volantmq.broker.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Executor;

/** The {@link AuthProvider}s on the class path, by name; two with one name is a start-up error. */
public final class AuthProviders {
    private final Map<String, AuthProvider> byName;

    private AuthProviders(Map<String, AuthProvider> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    public static AuthProviders load(ClassLoader loader) {
        return of(ServiceLoader.load(AuthProvider.class, loader));
    }

    public static AuthProviders of(Iterable<AuthProvider> providers) {
        Map<String, AuthProvider> byName = new LinkedHashMap<>();
        for (AuthProvider p : providers) {
            AuthProvider previous = byName.putIfAbsent(p.name(), p);
            if (previous != null) {
                throw new IllegalStateException("two auth providers are named '" + p.name() + "': "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return new AuthProviders(byName);
    }

    public Map<String, AuthProvider> byName() {
        return byName;
    }

    /** Splits a {@code volantmq.auth} value ({@code "certificate, file"}) into names. */
    public static List<String> names(String spec) {
        List<String> names = new ArrayList<>();
        for (String n : spec.split(",")) {
            if (!n.isBlank()) {
                names.add(n.trim());
            }
        }
        return names;
    }

    /** Builds the chain {@code names} for {@code listener}; an unknown name fails with the known ones listed. */
    public AuthChain chain(List<String> names, String listener, Settings settings, Executor slowWork,
                           Reloader reloader) {
        if (names.isEmpty()) {
            throw settings.missing("auth", "no auth provider configured");
        }
        List<AuthCheck> checks = new ArrayList<>();
        try {
            for (String name : names) {
                AuthProvider provider = byName.get(name);
                if (provider == null) {
                    throw new IllegalArgumentException(listener + ": unknown auth provider '" + name
                            + "' (volantmq.auth); known: " + byName.keySet());
                }
                checks.add(provider.create(new AuthProviderConfig(name, listener, settings, slowWork, reloader)));
            }
        } catch (RuntimeException e) {
            checks.forEach(AuthCheck::close);
            throw e;
        }
        return new AuthChain(names, checks);
    }
}
