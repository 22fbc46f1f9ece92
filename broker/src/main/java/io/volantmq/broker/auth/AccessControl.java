package io.volantmq.broker.auth;

/** Topic ACLs, asked on every publish, subscribe and delivery; implementations must be fast and thread-safe. */
public interface AccessControl {

    boolean mayPublish(ClientIdentity client, String topic);

    boolean maySubscribe(ClientIdentity client, String filter);

    boolean mayReceive(ClientIdentity client, String topic);

    /** A will: a publish made on the client's behalf later; the publish rule unless told apart (plugins). */
    default boolean mayWill(ClientIdentity client, String topic) {
        return mayPublish(client, topic);
    }

    AccessControl ALLOW_ALL = new AccessControl() {
        @Override
        public boolean mayPublish(ClientIdentity client, String topic) {
            return true;
        }

        @Override
        public boolean maySubscribe(ClientIdentity client, String filter) {
            return true;
        }

        @Override
        public boolean mayReceive(ClientIdentity client, String topic) {
            return true;
        }
    };
}
