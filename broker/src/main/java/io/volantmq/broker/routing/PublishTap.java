package io.volantmq.broker.routing;

import io.volantmq.broker.protocol.Publish;

/**
 * Sees every message the {@link Router} routes, before it is routed: the admin endpoint's live
 * message trace. Installed only while a trace runs (none by default), so routing pays one volatile
 * read otherwise. Called on the publisher's thread (an event loop): it must be quick and must not throw.
 */
@FunctionalInterface
public interface PublishTap {
    void published(String originClientId, Publish publish);
}
