package io.volantmq.broker.routing;

import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.codec.SharedPublish;

/** A session as the router sees it: where messages go. Implemented by the session layer. */
public interface Recipient {

    boolean online();

    /** Who the session belongs to (the last connection's identity while offline). */
    ClientIdentity identity();

    /** Keeps its queue while offline. */
    boolean persistent();

    /**
     * Its queue is in {@link SessionQueues#memory()}, not in the durable store: fixed when the session was made
     * (one that ends with its connection). Recipients inside the broker (a bridge's queue) stay durable.
     */
    default boolean queuedInMemory() {
        return false;
    }

    /**
     * Delivers a QoS 0 message straight to the connection; false when offline. Any thread. The caller
     * keeps its reference; the recipient retains the message for as long as it holds on to it.
     */
    boolean sendDirect(SharedPublish publish);

    /** Something was queued for it in the store; deliver when the window allows. Any thread. */
    void notifyQueued();
}
