package io.volantmq.broker.auth;

/**
 * An authentication provider, found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.volantmq.broker.auth.AuthProvider}) and chosen by {@link #name()} in the
 * {@code volantmq.auth} setting, broker-wide or per listener ({@code ?auth=certificate,file}).
 * Built-in: {@code anonymous}, {@code file}, {@code certificate}.
 *
 * <p>Providers are chained per listener in the configured order; the first definite answer wins and
 * a chain where every provider abstains denies. Besides listeners, anything in the broker that needs to
 * check credentials (an admin endpoint) can build a chain through {@link AuthProviders}.
 */
public interface AuthProvider {

    /** The name used in {@code volantmq.auth}; unique among the providers on the class path. */
    String name();

    /**
     * Creates this provider's check for one listener. Settings are under {@code auth.<name>.*}
     * ({@code volantmq.auth.file.path}, or {@code ?auth.file.path=} on the listener).
     *
     * @throws IllegalArgumentException for bad or missing settings, naming the key
     */
    AuthCheck create(AuthProviderConfig config);
}
