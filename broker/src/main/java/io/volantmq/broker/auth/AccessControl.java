package io.volantmq.broker.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Topic ACLs, asked on every publish, subscribe and delivery; implementations must be fast and thread-safe. */
public interface AccessControl {

    boolean mayPublish(ClientIdentity client, String topic);

    boolean maySubscribe(ClientIdentity client, String filter);

    boolean mayReceive(ClientIdentity client, String topic);

    /** A will: a publish made on the client's behalf later; the publish rule unless told apart (plugins). */
    default boolean mayWill(ClientIdentity client, String topic) {
        return mayPublish(client, topic);
    }

    /**
     * True when an answer may take long (a plugin authorizer that is not non-blocking): a connection's flow
     * then asks the asynchronous forms and stops reading until the answer is in, rather than its event loop
     * waiting.
     */
    default boolean mayBlock() {
        return false;
    }

    /** {@link #mayPublish} without waiting; never completes exceptionally. */
    default CompletionStage<Boolean> mayPublishAsync(ClientIdentity client, String topic) {
        return CompletableFuture.completedFuture(mayPublish(client, topic));
    }

    /** {@link #maySubscribe} without waiting; never completes exceptionally. */
    default CompletionStage<Boolean> maySubscribeAsync(ClientIdentity client, String filter) {
        return CompletableFuture.completedFuture(maySubscribe(client, filter));
    }

    /** {@link #mayWill} without waiting; never completes exceptionally. */
    default CompletionStage<Boolean> mayWillAsync(ClientIdentity client, String topic) {
        return CompletableFuture.completedFuture(mayWill(client, topic));
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
