package io.volantmq.broker;

import java.net.SocketAddress;
import java.net.URI;

/** Callbacks for an embedding application; every method has a no-op default. Called on broker threads: return quickly. */
public interface BrokerEvents {

    /** A listener's state changed; {@code error} is set for {@link ListenerStatus#FAILED}. */
    default void onListenerStatus(URI listener, ListenerStatus status, Throwable error) {
    }

    /**
     * A client connected with a client id that already has a live connection; {@code refused} tells
     * whether the newcomer was refused (policy REFUSE) or took over.
     */
    default void onDuplicateClientId(String clientId, SocketAddress existing, SocketAddress newcomer, boolean refused) {
    }

    enum ListenerStatus { STARTED, FAILED, STOPPED }

    BrokerEvents NONE = new BrokerEvents() {
    };
}
