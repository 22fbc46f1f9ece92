package io.volantmq.broker;

/**
 * A part of the broker that lives in its own Maven module and is found on the class path through
 * {@link java.util.ServiceLoader} (the bridge is one): the broker starts it with the wired core when
 * its settings ask for it, and closes it with the broker. The core does not depend on it.
 */
public interface BrokerModule {

    /**
     * Starts after the sessions are restored from the store and before the listeners accept clients,
     * so nothing a client publishes at start is missed by it.
     *
     * @return what runs, or null when the settings do not ask for this module
     * @throws IllegalArgumentException for bad settings, naming the key; the broker does not start
     */
    Running start(BrokerContext context);

    /** A started module. */
    interface Running extends AutoCloseable {
        /** The read-only admin resource it answers ({@code GET /api/<resource>}), or null for none. */
        String resource();

        /** Its state as JSON values (maps, lists, strings, numbers, booleans); called on the admin worker. */
        Object status();

        @Override
        void close();
    }
}
