package io.volantmq.plugin.api;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a plugin gets at start: its settings, a logger, the broker's meters, threads for its own
 * blocking and periodic work, the broker's services, and the methods that register its hooks. Hooks
 * registered after {@link Plugin#start} returned are refused.
 */
public interface PluginContext {

    /** The plugin's id. */
    String id();

    /**
     * The plugin's settings: {@code volantmq.plugin.<id>.<key>} from the configuration, keyed by
     * {@code <key>}; unmodifiable.
     */
    Map<String, String> settings();

    /** One setting, or {@code def} when it is not set. */
    default String setting(String key, String def) {
        return settings().getOrDefault(key, def);
    }

    /** A logger named {@code volantmq.plugin.<id>}. */
    Logger logger();

    /** The broker's meter registry; name the plugin's meters {@code volantmq.plugin.<id>.*}. */
    MeterRegistry metrics();

    /** A bounded pool for the plugin's blocking work (and its blocking hooks); never an event loop. */
    ExecutorService executor();

    /** A scheduler for the plugin's periodic work; a task that throws is logged and keeps its schedule. */
    ScheduledExecutorService scheduler();

    /** The broker's services: publish, clients, retained messages. */
    BrokerServices services();

    /**
     * Adds an authentication provider named {@code name}. A listener uses it by listing the name in its
     * {@code auth} chain next to {@code file}, {@code certificate}, {@code anonymous}
     * ({@code volantmq.auth=http,file}).
     */
    void registerAuthenticator(String name, Authenticator authenticator);

    /** Adds an authorizer, asked before the ACL file (plugins in load order; the first definite answer wins). */
    void registerAuthorizer(Authorizer authorizer);

    /** Adds an inbound PUBLISH interceptor. */
    void registerPublishInterceptor(PublishInterceptor interceptor);

    /** Adds a SUBSCRIBE interceptor. */
    void registerSubscribeInterceptor(SubscribeInterceptor interceptor);

    /** Adds an outbound PUBLISH interceptor, called once per subscriber. */
    void registerOutboundInterceptor(OutboundInterceptor interceptor);

    /** Adds a CONNECT interceptor, called after authentication. */
    void registerConnectInterceptor(ConnectInterceptor interceptor);

    /** Adds a listener of broker events; events are delivered on the plugin's executor, in order per plugin. */
    void registerEventListener(BrokerEventListener listener);
}
