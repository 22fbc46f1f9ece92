package io.volantmq.broker.plugin;

import io.volantmq.broker.PluginMessages;
import io.micrometer.core.instrument.MeterRegistry;
import io.volantmq.broker.PluginHooks;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.AuthProvider;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.plugin.api.Authorizer;
import io.volantmq.plugin.api.BrokerEventListener;
import io.volantmq.plugin.api.BrokerServices;
import io.volantmq.plugin.api.ClientInfo;
import io.volantmq.plugin.api.ConnectInterceptor;
import io.volantmq.plugin.api.ConnectResult;
import io.volantmq.plugin.api.InterceptResult;
import io.volantmq.plugin.api.Message;
import io.volantmq.plugin.api.OutboundInterceptor;
import io.volantmq.plugin.api.Plugin;
import io.volantmq.plugin.api.PublishInterceptor;
import io.volantmq.plugin.api.SubscribeInterceptor;
import io.volantmq.plugin.api.SubscribeResult;
import io.volantmq.plugin.api.UserProperty;
import io.volantmq.plugin.api.Authenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The started plugins and their hooks. The broker asks {@code hasX()} first on every hot path: with no
 * plugin installed that is one field read, and nothing is allocated. Hooks are registered while the
 * plugins start and fixed afterwards ({@link #start}); calls go through each plugin's guard.
 */
public final class PluginHost implements PluginHooks, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    /** A hook and the plugin it belongs to. */
    record Registered<H>(PluginRuntime plugin, H hook, boolean nonBlocking) {
    }

    private record NamedAuthenticator(PluginRuntime plugin, String name, Authenticator authenticator) {
    }

    // filled while plugins start; the frozen views below are what the broker reads
    final List<Registered<Authorizer>> authorizers = new ArrayList<>();
    final List<Registered<PublishInterceptor>> publish = new ArrayList<>();
    final List<Registered<SubscribeInterceptor>> subscribe = new ArrayList<>();
    final List<Registered<OutboundInterceptor>> outbound = new ArrayList<>();
    final List<Registered<ConnectInterceptor>> connect = new ArrayList<>();
    final List<Registered<BrokerEventListener>> listeners = new ArrayList<>();
    private final List<NamedAuthenticator> authenticators = new ArrayList<>();

    private List<Registered<PublishInterceptor>> publishHooks;
    private List<Registered<SubscribeInterceptor>> subscribeHooks;
    private List<Registered<OutboundInterceptor>> outboundHooks;
    private List<Registered<ConnectInterceptor>> connectHooks;
    private List<Registered<BrokerEventListener>> eventHooks;
    private boolean publishMayBlock;
    private boolean subscribeMayBlock;
    private boolean connectMayBlock;

    private final List<PluginRuntime> started = new ArrayList<>();
    private final PluginSettings settings;
    private final MeterRegistry registry;
    private volatile BrokerServices services;

    private PluginHost(PluginSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.registry = registry;
    }

    /** No plugins: every {@code has} answers false. */
    public static PluginHost none() {
        return new PluginHost(PluginSettings.from(java.util.Map.of()), null);
    }

    /**
     * Starts {@code plugins} in order (each with its class loader, null for the broker's own). One that
     * throws is stopped, reported and left out, or, with {@code required}, stops everything and fails.
     */
    public static PluginHost start(PluginSettings settings, java.util.Map<String, String> allSettings,
                                   List<PluginLoader.Found> plugins, MeterRegistry registry) {
        PluginHost host = new PluginHost(settings, registry);
        for (PluginLoader.Found found : plugins) {
            Plugin plugin = found.plugin();
            PluginRuntime runtime = new PluginRuntime(found.id(), plugin, found.loader(), host,
                    PluginSettings.of(found.id(), allSettings), registry, settings);
            int[] before = host.sizes();
            try {
                runtime.startPlugin();
                host.started.add(runtime);
                log.info("plugin {} started ({}){}", found.id(), plugin.getClass().getName(),
                        found.source() == null ? "" : " from " + found.source());
            } catch (Throwable e) {
                host.forget(before);
                runtime.failed("start", "exception", null);
                runtime.stop();
                if (settings.required()) {
                    host.close();
                    throw new IllegalStateException("plugin " + found.id() + " failed to start, and "
                            + "volantmq.plugins.required=true: " + e, e);
                }
                log.error("plugin {} failed to start; the broker runs without it", found.id(), e);
            }
        }
        host.freeze();
        return host;
    }

    private int[] sizes() {
        return new int[] {authorizers.size(), publish.size(), subscribe.size(), outbound.size(), connect.size(),
            listeners.size(), authenticators.size()};
    }

    /** Drops what a plugin that failed to start registered before it threw. */
    private void forget(int[] s) {
        authorizers.subList(s[0], authorizers.size()).clear();
        publish.subList(s[1], publish.size()).clear();
        subscribe.subList(s[2], subscribe.size()).clear();
        outbound.subList(s[3], outbound.size()).clear();
        connect.subList(s[4], connect.size()).clear();
        listeners.subList(s[5], listeners.size()).clear();
        authenticators.subList(s[6], authenticators.size()).clear();
    }

    private void freeze() {
        publishHooks = frozen(publish);
        subscribeHooks = frozen(subscribe);
        outboundHooks = frozen(outbound);
        connectHooks = frozen(connect);
        eventHooks = frozen(listeners);
        publishMayBlock = publish.stream().anyMatch(r -> !r.nonBlocking());
        subscribeMayBlock = subscribe.stream().anyMatch(r -> !r.nonBlocking());
        connectMayBlock = connect.stream().anyMatch(r -> !r.nonBlocking());
    }

    private static <H> List<Registered<H>> frozen(List<Registered<H>> hooks) {
        return hooks.isEmpty() ? null : List.copyOf(hooks);
    }

    void addAuthenticator(PluginRuntime plugin, String name, Authenticator authenticator) {
        for (NamedAuthenticator a : authenticators) {
            if (a.name().equals(name)) {
                throw new IllegalArgumentException("auth provider '" + name + "' is registered twice (plugins "
                        + a.plugin().id() + " and " + plugin.id() + ")");
            }
        }
        authenticators.add(new NamedAuthenticator(plugin, name, authenticator));
    }

    /** The ids of the plugins running, in load order. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        started.forEach(r -> ids.add(r.id()));
        return Collections.unmodifiableList(ids);
    }

    /** The authentication providers the plugins added, to join the listeners' chains by name. */
    public List<AuthProvider> authProviders() {
        List<AuthProvider> providers = new ArrayList<>();
        for (NamedAuthenticator a : authenticators) {
            providers.add(new PluginAuthProvider(a.name(), a.plugin(), a.authenticator(), settings.timeoutMillis()));
        }
        return providers;
    }

    /** {@code acl} behind the plugins' authorizers; {@code acl} itself when there are none. */
    public AccessControl accessControl(AccessControl acl) {
        return authorizers.isEmpty() ? acl : new PluginAccessControl(List.copyOf(authorizers), acl);
    }

    /**
     * The chain a listener names with {@code acl=}: the authorizers of the plugins named (by plugin id), in
     * the order named, then {@code file} (the ACL file, or everything allowed without one) when named, last.
     * Without {@code file}, what every named authorizer passes on (NEXT) is denied.
     */
    public AccessControl accessControl(List<String> names, AccessControl file, Settings where) {
        List<Registered<Authorizer>> chain = new ArrayList<>();
        boolean withFile = false;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.equals("file")) {
                if (i != names.size() - 1) {
                    throw where.bad("acl", String.join(",", names), "'file' last: it answers every question, so "
                            + "nothing after it would be asked");
                }
                withFile = true;
                continue;
            }
            List<Registered<Authorizer>> own = authorizers.stream().filter(r -> r.plugin().id().equals(name)).toList();
            if (own.isEmpty()) {
                throw where.bad("acl", String.join(",", names), "'file' and ids of running plugins that register an "
                        + "authorizer " + authorizers.stream().map(r -> r.plugin().id()).distinct().toList());
            }
            chain.addAll(own);
        }
        AccessControl last = withFile ? file : DENY_ALL;
        return chain.isEmpty() ? last : new PluginAccessControl(List.copyOf(chain), last);
    }

    /** The end of a chain without {@code file}: what no authorizer allowed is refused (fails closed). */
    private static final AccessControl DENY_ALL = new AccessControl() {
        @Override
        public boolean mayPublish(ClientIdentity client, String topic) {
            return false;
        }

        @Override
        public boolean maySubscribe(ClientIdentity client, String filter) {
            return false;
        }

        @Override
        public boolean mayReceive(ClientIdentity client, String topic) {
            return false;
        }
    };

    /** Set once the broker is wired; plugins reach the broker through it. */
    public void services(BrokerServices services) {
        this.services = services;
    }

    BrokerServices services() {
        BrokerServices s = services;
        if (s == null) {
            throw new IllegalStateException("the broker services are available once the broker has started");
        }
        return s;
    }

    // ------------------------------------------------------------------ PUBLISH in and out

    @Override
    public boolean hasPublishInterceptors() {
        return publishHooks != null;
    }

    /**
     * The inbound interceptors in order; {@link InterceptResult.Action#MODIFY} carries the last message, a
     * drop ends the chain. A failing interceptor continues or drops (0x80) as {@code failureAction} says.
     */
    @Override
    public InterceptResult onPublish(ClientIdentity publisher, Message message) {
        ClientInfo client = PluginMessages.client(publisher);
        InterceptResult failure = settings.refuseOnFailure()
                ? InterceptResult.drop(ReasonCode.UNSPECIFIED_ERROR, "plugin failure") : InterceptResult.proceed();
        Message current = message;
        boolean modified = false;
        for (Registered<PublishInterceptor> r : publishHooks) {
            Message in = current;
            InterceptResult result = r.plugin().call("publish", r.nonBlocking(), () -> r.hook().onPublish(client, in),
                    failure);
            switch (result.action()) {
                case DROP -> {
                    return result;
                }
                case MODIFY -> {
                    current = result.message();
                    modified = true;
                }
                default -> { }
            }
        }
        return modified ? InterceptResult.modify(current) : InterceptResult.proceed();
    }

    @Override
    public boolean publishMayBlock() {
        return publishMayBlock;
    }

    /** {@link #onPublish}, each blocking interceptor handed to its plugin's executor without waiting. */
    @Override
    public CompletionStage<InterceptResult> onPublishAsync(ClientIdentity publisher, Message message) {
        ClientInfo client = PluginMessages.client(publisher);
        InterceptResult failure = settings.refuseOnFailure()
                ? InterceptResult.drop(ReasonCode.UNSPECIFIED_ERROR, "plugin failure") : InterceptResult.proceed();
        return publishFrom(0, client, message, false, failure);
    }

    private CompletableFuture<InterceptResult> publishFrom(int i, ClientInfo client, Message current, boolean modified,
                                                           InterceptResult failure) {
        if (i == publishHooks.size()) {
            return CompletableFuture.completedFuture(modified ? InterceptResult.modify(current) : InterceptResult.proceed());
        }
        Registered<PublishInterceptor> r = publishHooks.get(i);
        return r.plugin().callAsync("publish", r.nonBlocking(), () -> r.hook().onPublish(client, current), failure)
                .thenCompose(result -> switch (result.action()) {
                    case DROP -> CompletableFuture.completedFuture(result);
                    case MODIFY -> publishFrom(i + 1, client, result.message(), true, failure);
                    default -> publishFrom(i + 1, client, current, modified, failure);
                });
    }

    public boolean hasOutboundInterceptors() {
        return outboundHooks != null;
    }

    /** As {@link #onPublish}, for one subscriber. */
    public InterceptResult onDeliver(ClientIdentity subscriber, Message message) {
        ClientInfo client = PluginMessages.client(subscriber);
        InterceptResult failure = settings.refuseOnFailure()
                ? InterceptResult.drop(ReasonCode.UNSPECIFIED_ERROR, "plugin failure") : InterceptResult.proceed();
        Message current = message;
        boolean modified = false;
        for (Registered<OutboundInterceptor> r : outboundHooks) {
            Message in = current;
            InterceptResult result = r.plugin().call("outbound", r.nonBlocking(), () -> r.hook().onDeliver(client, in),
                    failure);
            if (result.action() == InterceptResult.Action.DROP) {
                return result;
            }
            if (result.action() == InterceptResult.Action.MODIFY) {
                current = result.message();
                modified = true;
            }
        }
        return modified ? InterceptResult.modify(current) : InterceptResult.proceed();
    }

    // ------------------------------------------------------------------ SUBSCRIBE, CONNECT

    @Override
    public boolean hasSubscribeInterceptors() {
        return subscribeHooks != null;
    }

    /** The subscribe interceptors in order for one filter; a denial ends the chain. */
    @Override
    public SubscribeResult onSubscribe(ClientIdentity subscriber, String filter, int qos) {
        ClientInfo client = PluginMessages.client(subscriber);
        SubscribeResult current = SubscribeResult.keep(filter, qos);
        for (Registered<SubscribeInterceptor> r : subscribeHooks) {
            SubscribeResult in = current;
            SubscribeResult failure = settings.refuseOnFailure() ? SubscribeResult.deny(ReasonCode.UNSPECIFIED_ERROR) : in;
            current = r.plugin().call("subscribe", r.nonBlocking(),
                    () -> r.hook().onSubscribe(client, in.filter(), in.qos()), failure);
            if (current.denied()) {
                return current;
            }
        }
        return current;
    }

    @Override
    public boolean subscribeMayBlock() {
        return subscribeMayBlock;
    }

    /** {@link #onSubscribe}, each blocking interceptor handed to its plugin's executor without waiting. */
    @Override
    public CompletionStage<SubscribeResult> onSubscribeAsync(ClientIdentity subscriber, String filter, int qos) {
        return subscribeFrom(0, PluginMessages.client(subscriber), SubscribeResult.keep(filter, qos));
    }

    private CompletableFuture<SubscribeResult> subscribeFrom(int i, ClientInfo client, SubscribeResult current) {
        if (i == subscribeHooks.size() || current.denied()) {
            return CompletableFuture.completedFuture(current);
        }
        Registered<SubscribeInterceptor> r = subscribeHooks.get(i);
        SubscribeResult failure = settings.refuseOnFailure() ? SubscribeResult.deny(ReasonCode.UNSPECIFIED_ERROR) : current;
        return r.plugin().callAsync("subscribe", r.nonBlocking(),
                () -> r.hook().onSubscribe(client, current.filter(), current.qos()), failure)
                .thenCompose(next -> subscribeFrom(i + 1, client, next));
    }

    @Override
    public boolean hasConnectInterceptors() {
        return connectHooks != null;
    }

    /** The connect interceptors in order; the user properties of every acceptance add up. */
    @Override
    public ConnectResult onConnect(ClientIdentity client, List<UserProperty> connectProperties) {
        ClientInfo info = PluginMessages.client(client);
        ConnectResult failure = settings.refuseOnFailure()
                ? ConnectResult.refuse(ReasonCode.SERVER_UNAVAILABLE, "plugin failure") : ConnectResult.accept();
        List<UserProperty> added = new ArrayList<>();
        for (Registered<ConnectInterceptor> r : connectHooks) {
            ConnectResult result = r.plugin().call("connect", r.nonBlocking(),
                    () -> r.hook().onConnect(info, connectProperties), failure);
            if (!result.accepted()) {
                return result;
            }
            added.addAll(result.userProperties());
        }
        return added.isEmpty() ? ConnectResult.accept() : ConnectResult.acceptWith(added);
    }

    @Override
    public boolean connectMayBlock() {
        return connectMayBlock;
    }

    /** {@link #onConnect}, each blocking interceptor handed to its plugin's executor without waiting. */
    @Override
    public CompletionStage<ConnectResult> onConnectAsync(ClientIdentity client, List<UserProperty> connectProperties) {
        ClientInfo info = PluginMessages.client(client);
        ConnectResult failure = settings.refuseOnFailure()
                ? ConnectResult.refuse(ReasonCode.SERVER_UNAVAILABLE, "plugin failure") : ConnectResult.accept();
        return connectFrom(0, info, connectProperties, List.of(), failure);
    }

    private CompletableFuture<ConnectResult> connectFrom(int i, ClientInfo info, List<UserProperty> properties,
                                                         List<UserProperty> added, ConnectResult failure) {
        if (i == connectHooks.size()) {
            return CompletableFuture.completedFuture(added.isEmpty() ? ConnectResult.accept() : ConnectResult.acceptWith(added));
        }
        Registered<ConnectInterceptor> r = connectHooks.get(i);
        return r.plugin().callAsync("connect", r.nonBlocking(), () -> r.hook().onConnect(info, properties), failure)
                .thenCompose(result -> {
                    if (!result.accepted()) {
                        return CompletableFuture.completedFuture(result);
                    }
                    List<UserProperty> all = new ArrayList<>(added);
                    all.addAll(result.userProperties());
                    return connectFrom(i + 1, info, properties, all, failure);
                });
    }

    // ------------------------------------------------------------------ events

    public boolean hasEventListeners() {
        return eventHooks != null;
    }

    private void emit(String name, Consumer<BrokerEventListener> event) {
        List<Registered<BrokerEventListener>> hooks = eventHooks;
        if (hooks == null) {
            return;
        }
        for (Registered<BrokerEventListener> r : hooks) {
            r.plugin().event(name, () -> event.accept(r.hook()));
        }
    }

    @Override
    public void connected(ClientIdentity client) {
        if (eventHooks != null) {
            ClientInfo info = PluginMessages.client(client);
            emit("onConnected", l -> l.onConnected(info));
        }
    }

    @Override
    public void disconnected(ClientIdentity client, String reason) {
        if (eventHooks != null && client != null) {
            ClientInfo info = PluginMessages.client(client);
            emit("onDisconnected", l -> l.onDisconnected(info, reason));
        }
    }

    @Override
    public void subscribed(ClientIdentity client, String filter, int qos) {
        if (eventHooks != null) {
            ClientInfo info = PluginMessages.client(client);
            emit("onSubscribed", l -> l.onSubscribed(info, filter, qos));
        }
    }

    @Override
    public void unsubscribed(ClientIdentity client, String filter) {
        if (eventHooks != null) {
            ClientInfo info = PluginMessages.client(client);
            emit("onUnsubscribed", l -> l.onUnsubscribed(info, filter));
        }
    }

    @Override
    public void messageDropped(String clientId, String topic, String reason) {
        if (eventHooks != null) {
            emit("onMessageDropped", l -> l.onMessageDropped(clientId, topic, reason));
        }
    }

    public void sessionExpired(String clientId) {
        if (eventHooks != null) {
            emit("onSessionExpired", l -> l.onSessionExpired(clientId));
        }
    }

    /** Stops the plugins, last started first. */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).stop();
            log.info("plugin {} stopped", started.get(i).id());
        }
        started.stream().map(PluginRuntime::loader).distinct().forEach(PluginLoader::close);
        started.clear();
    }
}
