package io.volantmq.broker.session;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.BrokerEvents;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.retained.RetainedIndex;
import io.volantmq.broker.routing.MessagePropertiesCodec;
import io.volantmq.broker.routing.QueueLimits;
import io.volantmq.broker.routing.Router;
import io.volantmq.broker.routing.SubscriptionTree;
import io.volantmq.persistence.Store;

/** The broker-wide parts a connection works with, wired once, by hand, in {@link #wire}. */
public record BrokerContext(BrokerConfig config, SessionRegistry sessions, Router router, SubscriptionTree tree,
                            RetainedIndex retained, Store store, MessagePropertiesCodec messageCodec,
                            AccessControl acl, BrokerEvents events) {

    /** Wires the core over an open store (the broker, and tests that drive connections directly). */
    public static BrokerContext wire(BrokerConfig config, Store store, AccessControl acl, BrokerEvents events) {
        SubscriptionTree tree = new SubscriptionTree();
        MessagePropertiesCodec codec = new MessagePropertiesCodec();
        RetainedIndex retained = new RetainedIndex(store.retained());
        SessionRegistry sessions = new SessionRegistry(store, tree, codec, config);
        Router router = new Router(tree, retained, sessions, store.messages(),
                new QueueLimits(store.messages(), config), codec, acl, config);
        return new BrokerContext(config, sessions, router, tree, retained, store, codec, acl, events);
    }
}
