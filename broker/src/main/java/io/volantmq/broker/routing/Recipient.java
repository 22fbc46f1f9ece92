package io.volantmq.broker.routing;

import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.protocol.Publish;

/** A session as the router sees it: where messages go. Implemented by the session layer. */
public interface Recipient {

    boolean online();

    /** Who the session belongs to (the last connection's identity while offline). */
    ClientIdentity identity();

    /** Keeps its queue while offline. */
    boolean persistent();

    /** Delivers a QoS 0 message straight to the connection; false when offline. Any thread. */
    boolean sendDirect(Publish publish);

    /** Something was queued for it in the store; deliver when the window allows. Any thread. */
    void notifyQueued();
}
