package io.volantmq.broker.plugin;

import io.volantmq.broker.PluginMessages;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.plugin.api.Authorizer;
import io.volantmq.plugin.api.ClientInfo;
import io.volantmq.plugin.api.Decision;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The plugins' authorizers in load order, then the broker's ACL: the first ALLOW or DENY wins. A failing or
 * late authorizer answers DENY (authorization fails closed).
 */
final class PluginAccessControl implements AccessControl {
    private final List<PluginHost.Registered<Authorizer>> authorizers;
    private final AccessControl fallback;
    private final boolean mayBlock;

    PluginAccessControl(List<PluginHost.Registered<Authorizer>> authorizers, AccessControl fallback) {
        this.authorizers = authorizers;
        this.fallback = fallback;
        this.mayBlock = fallback.mayBlock() || authorizers.stream().anyMatch(r -> !r.nonBlocking());
    }

    @Override
    public boolean mayBlock() {
        return mayBlock;
    }

    /** As {@link #decide}, each blocking authorizer handed to its plugin's executor without waiting. */
    private CompletableFuture<Decision> decideFrom(int i, String hook, ClientInfo client, Question question) {
        if (i == authorizers.size()) {
            return CompletableFuture.completedFuture(Decision.NEXT);
        }
        PluginHost.Registered<Authorizer> r = authorizers.get(i);
        return r.plugin().callAsync(hook, r.nonBlocking(), () -> question.ask(r.hook(), client), Decision.DENY)
                .thenCompose(d -> d != Decision.NEXT ? CompletableFuture.completedFuture(d)
                        : decideFrom(i + 1, hook, client, question));
    }

    private CompletionStage<Boolean> decideAsync(String hook, ClientIdentity identity, Question question,
                                                 Supplier<CompletionStage<Boolean>> otherwise) {
        return decideFrom(0, hook, PluginMessages.client(identity), question)
                .thenCompose(d -> d == Decision.NEXT ? otherwise.get() : CompletableFuture.completedFuture(d == Decision.ALLOW));
    }

    @Override
    public CompletionStage<Boolean> mayPublishAsync(ClientIdentity client, String topic) {
        return decideAsync("mayPublish", client, (a, c) -> a.mayPublish(c, topic),
                () -> fallback.mayPublishAsync(client, topic));
    }

    @Override
    public CompletionStage<Boolean> maySubscribeAsync(ClientIdentity client, String filter) {
        return decideAsync("maySubscribe", client, (a, c) -> a.maySubscribe(c, filter),
                () -> fallback.maySubscribeAsync(client, filter));
    }

    @Override
    public CompletionStage<Boolean> mayWillAsync(ClientIdentity client, String topic) {
        return decideAsync("mayWill", client, (a, c) -> a.mayWill(c, topic), () -> fallback.mayWillAsync(client, topic));
    }

    private interface Question {
        Decision ask(Authorizer authorizer, ClientInfo client);
    }

    private Decision decide(String hook, ClientIdentity identity, Question question) {
        ClientInfo client = PluginMessages.client(identity);
        for (PluginHost.Registered<Authorizer> r : authorizers) {
            Decision d = r.plugin().call(hook, r.nonBlocking(), () -> question.ask(r.hook(), client), Decision.DENY);
            if (d != Decision.NEXT) {
                return d;
            }
        }
        return Decision.NEXT;
    }

    @Override
    public boolean mayPublish(ClientIdentity client, String topic) {
        Decision d = decide("mayPublish", client, (a, c) -> a.mayPublish(c, topic));
        return d == Decision.NEXT ? fallback.mayPublish(client, topic) : d == Decision.ALLOW;
    }

    @Override
    public boolean maySubscribe(ClientIdentity client, String filter) {
        Decision d = decide("maySubscribe", client, (a, c) -> a.maySubscribe(c, filter));
        return d == Decision.NEXT ? fallback.maySubscribe(client, filter) : d == Decision.ALLOW;
    }

    @Override
    public boolean mayWill(ClientIdentity client, String topic) {
        Decision d = decide("mayWill", client, (a, c) -> a.mayWill(c, topic));
        return d == Decision.NEXT ? fallback.mayWill(client, topic) : d == Decision.ALLOW;
    }

    @Override
    public boolean mayReceive(ClientIdentity client, String topic) {
        Decision d = decide("mayReceive", client, (a, c) -> a.mayReceive(c, topic));
        return d == Decision.NEXT ? fallback.mayReceive(client, topic) : d == Decision.ALLOW;
    }
}
