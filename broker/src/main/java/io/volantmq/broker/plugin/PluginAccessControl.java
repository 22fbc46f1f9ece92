package io.volantmq.broker.plugin;

import io.volantmq.broker.PluginMessages;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.plugin.api.Authorizer;
import io.volantmq.plugin.api.ClientInfo;
import io.volantmq.plugin.api.Decision;

import java.util.List;

/**
 * The plugins' authorizers in load order, then the broker's ACL: the first ALLOW or DENY wins. A failing or
 * late authorizer answers DENY (authorization fails closed).
 */
final class PluginAccessControl implements AccessControl {
    private final List<PluginHost.Registered<Authorizer>> authorizers;
    private final AccessControl fallback;

    PluginAccessControl(List<PluginHost.Registered<Authorizer>> authorizers, AccessControl fallback) {
        this.authorizers = authorizers;
        this.fallback = fallback;
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
